"""Score the redactor on labelled messages (tests/privacy/data/<lang>.yml).

A labelled span counts as found when one finding of the same category covers it
completely. A finding that overlaps no labelled span is a false positive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.paths import PROJECT_ROOT
from bot.privacy.redaction import CATEGORIES, find

DATA_DIR = PROJECT_ROOT / "tests" / "privacy" / "data"


@dataclass
class Score:
    """Counts for one language."""

    found: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)

    def recall(self, category: str) -> float | None:
        """Share of labelled spans of ``category`` that were redacted as that category."""
        total = self.total[category]
        return self.found[category] / total if total else None


def load(language: str, directory: Path = DATA_DIR) -> list[dict[str, Any]]:
    """The labelled messages of ``language``."""
    with (directory / f"{language}.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["messages"]


def score(messages: list[dict[str, Any]]) -> Score:
    """Recall per category and false positives over ``messages``."""
    result = Score()
    for message in messages:
        text = message["text"]
        findings = find(text)
        labelled = []
        for category, spans in (message.get("pii") or {}).items():
            for span in spans:
                start = text.index(span)
                labelled.append((category, start, start + len(span)))
                result.total[category] += 1
                if any(
                    f.label == category and f.start <= start and start + len(span) <= f.end
                    for f in findings
                ):
                    result.found[category] += 1
                else:
                    result.misses.append((category, span, text))
        for f in findings:
            if not any(f.start < end and start < f.end for _, start, end in labelled):
                result.false_positives.append((f.label, text[f.start : f.end], text))
    return result


def report(languages: list[str]) -> str:
    """A Markdown table: recall per category and language, false positives."""
    rows = ["| lang | " + " | ".join(CATEGORIES) + " | false positives |"]
    rows.append("|---" * (len(CATEGORIES) + 2) + "|")
    for language in languages:
        s = score(load(language))
        cells = []
        for c in CATEGORIES:
            cells.append(f"{s.recall(c):.2f} ({s.found[c]}/{s.total[c]})" if s.total[c] else "–")
        rows.append(f"| {language} | " + " | ".join(cells) + f" | {len(s.false_positives)} |")
    return "\n".join(rows)
