"""The response lint: every response in every language, conditions that exist."""

from __future__ import annotations

import copy

from bot.responses import GENERATED, lint, load_domain, render


def test_generated_domain_is_up_to_date():
    assert GENERATED.read_text(encoding="utf-8") == render(), "run `python -m bot.responses build`"


def test_shipped_domain_passes_the_lint():
    assert lint(load_domain()) == []


def test_lint_finds_a_missing_language():
    domain = copy.deepcopy(load_domain())
    domain["responses"]["utter_greet"] = [
        v
        for v in domain["responses"]["utter_greet"]
        if (v.get("condition") or [{}])[0].get("value") != "fa"
    ]
    assert "utter_greet: no variation for fa" in lint(domain)


def test_lint_finds_bad_condition_names_and_values():
    domain = copy.deepcopy(load_domain())
    variations = domain["responses"]["utter_thank"]
    variations[1]["condition"] = [{"type": "slot", "name": "langauge", "value": "de"}]
    variations[2]["condition"] = [{"type": "slot", "name": "language", "value": "english"}]
    problems = lint(domain)
    assert any("unknown slot 'langauge'" in p for p in problems)
    assert any("value 'english' not allowed" in p for p in problems)


def test_lint_finds_missing_default_and_placeholder_drift():
    domain = copy.deepcopy(load_domain())
    domain["responses"]["utter_goodbye"] = [
        v for v in domain["responses"]["utter_goodbye"] if v.get("condition")
    ]
    card = domain["responses"]["utter_ask_office_type"]
    for v in card:
        if (v.get("condition") or [{}])[0].get("value") == "tr":
            v["text"] = v["text"].replace("{city}", "{stadt}")
    problems = lint(domain)
    assert "utter_goodbye: no unconditioned default variation" in problems
    assert any(p.startswith("utter_ask_office_type [tr]") for p in problems)
