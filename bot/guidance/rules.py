"""The decision table of data/guidance/rules.yml and the questions it depends on."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.paths import DATA_DIR

RULES_FILE = DATA_DIR / "guidance" / "rules.yml"
SKIPPED = "skipped"
#: The slots of the form besides the city, in the order they are asked.
QUESTIONS = ("goal", "age_group", "situation", "receives_buergergeld")
MAX_SECONDARY = 2


@dataclass(frozen=True)
class Pick:
    """One recommended office: a type (resolved in the user's city) or a fixed record."""

    rule: str
    reason: str
    office_type: str | None = None
    record: str | None = None


@dataclass(frozen=True)
class Decision:
    """The primary office, at most two secondary ones, and notes for case-dependent rules."""

    primary: Pick
    secondary: tuple[Pick, ...] = ()
    notes: tuple[str, ...] = ()

    def signature(self) -> tuple[Any, ...]:
        """What the user would see; two answers that give the same signature are equal."""
        return (self.primary, self.secondary, self.notes)


@dataclass(frozen=True)
class Table:
    """The parsed rules file."""

    questions: dict[str, tuple[str, ...]]
    assumed: dict[str, str]
    primary: tuple[dict[str, Any], ...]
    secondary: tuple[dict[str, Any], ...]
    notes: tuple[dict[str, Any], ...] = field(default=())


@cache
def load_table(path: Path = RULES_FILE) -> Table:
    """Read and check the table (unknown keys or values fail loudly, at load time)."""
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    questions = {k: tuple(str(v) for v in values) for k, values in raw["questions"].items()}
    table = Table(
        questions=questions,
        assumed={k: str(v) for k, v in raw["assumed"].items()},
        primary=tuple(raw["primary"]),
        secondary=tuple(raw.get("secondary") or ()),
        notes=tuple(raw.get("notes") or ()),
    )
    _check(table)
    return table


def _check(table: Table) -> None:
    for row in (*table.primary, *table.secondary, *table.notes):
        for key, condition in row["when"].items():
            if key == "city_has":
                continue
            if key not in table.questions:
                raise ValueError(f"rule {row['id']}: unknown question {key!r}")
            values = condition.get("not") if isinstance(condition, dict) else condition
            for value in [values] if isinstance(values, str) else (values or []):
                if str(value) not in table.questions[key]:
                    raise ValueError(f"rule {row['id']}: {key} has no value {value!r}")
    last = table.primary[-1]["when"]
    if set(last) != {"goal"}:
        raise ValueError("the last primary rule must depend on the goal only (catch-all)")


def _matches(when: Mapping[str, Any], facts: Mapping[str, str], city_types: Iterable[str]) -> bool:
    for key, condition in when.items():
        if key == "city_has":
            if condition not in city_types:
                return False
            continue
        value = facts.get(key)
        if isinstance(condition, dict):
            if value in [str(c) for c in condition["not"]]:
                return False
        elif isinstance(condition, list):
            if value not in [str(c) for c in condition]:
                return False
        elif value != str(condition):
            return False
    return True


def facts_from_answers(answers: Mapping[str, str | None], table: Table | None = None) -> dict:
    """The answers with skipped or missing questions replaced by what the table assumes."""
    table = table or load_table()
    facts = {}
    for question in QUESTIONS:
        value = answers.get(question)
        facts[question] = table.assumed[question] if value in (None, SKIPPED) else value
    return facts


def decide(
    answers: Mapping[str, str | None], city_types: Iterable[str] = (), table: Table | None = None
) -> Decision:
    """Apply the table to the user's answers and the office types their city has."""
    table = table or load_table()
    facts = facts_from_answers(answers, table)
    types = frozenset(city_types)
    row = next(r for r in table.primary if _matches(r["when"], facts, types))
    primary = Pick(row["id"], row["reason"], office_type=row["office"])
    secondary: list[Pick] = []
    for r in table.secondary:
        if len(secondary) == MAX_SECONDARY:
            break
        taken = {primary.office_type, *(p.office_type for p in secondary)}
        if _matches(r["when"], facts, types) and (r.get("office") not in taken or r.get("record")):
            secondary.append(Pick(r["id"], r["reason"], r.get("office"), r.get("record")))
    notes = tuple(n["say"] for n in table.notes if _matches(n["when"], facts, types))
    return Decision(primary, tuple(secondary), notes)


def needed_questions(
    answers: Mapping[str, str | None], city_types: Iterable[str] = (), table: Table | None = None
) -> list[str]:
    """Unanswered questions whose answer can still change the decision, in asking order.

    A question matters if, for some answers to the other open questions, two of its
    values lead to different recommendations. Brute force is fine: at most 210 cases.
    """
    table = table or load_table()
    types = tuple(city_types)
    open_questions = [q for q in QUESTIONS if answers.get(q) is None]
    needed = []
    for question in open_questions:
        others = [q for q in open_questions if q != question]
        for combo in itertools.product(*(table.questions[q] for q in others)):
            base = {**answers, **dict(zip(others, combo))}
            outcomes = {
                decide({**base, question: v}, types, table).signature()
                for v in table.questions[question]
            }
            if len(outcomes) > 1:
                needed.append(question)
                break
    return needed
