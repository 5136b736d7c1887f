"""The sealed blind sets are never listed by tools/nlu_misses.py (they stay blind)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.paths import PROJECT_ROOT


@pytest.mark.parametrize(
    "target",
    [
        "blind_fresh",
        "blind_final",
        "blind_holdout",
        "blind_closing",
        "blind_sixth",
        "blind_seventh",
        "tests/nlu/blind_seventh/",
        "tests/nlu/blind_sixth/",
        "tests/nlu/blind_closing",
        "tests/nlu/blind_final",
        "tests/nlu/blind_holdout/",
    ],
)
def test_nlu_misses_refuses_a_sealed_set(target: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.nlu_misses", target, "--model", "/nonexistent"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "is sealed" in result.stderr
    assert "intent" not in result.stdout  # nothing scored, nothing listed
