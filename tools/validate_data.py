"""`rasa data validate`, failing on every warning that matters.

Rasa warns that responses uttered only by custom actions are "not used in any
story or rule". Those are fine when our code names them, so they are accepted
here; any other warning (or a response nobody uses) fails the check.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
UNUSED = re.compile(r"The utterance '(\w+)' is not used in any story or rule")


def main() -> int:
    """Run the validator and judge its warnings."""
    rasa = Path(sys.executable).parent / "rasa"
    proc = subprocess.run(
        [
            str(rasa),
            "data",
            "validate",
            "--domain",
            "domain",
            "--data",
            "data/nlu",
            "data/stories",
            "--config",
            "config.yml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "SQLALCHEMY_SILENCE_UBER_WARNING": "1"},
    )
    output = proc.stdout + proc.stderr
    code = "\n".join(
        p.read_text(encoding="utf-8") for d in ("bot", "actions") for p in (ROOT / d).rglob("*.py")
    )
    # Responses named by data tables (e.g. the reasons in data/guidance/rules.yml) count as used.
    code += "\n".join(
        f'"{name}"'
        for p in (ROOT / "data" / "guidance").glob("*.yml")
        for name in re.findall(r"\butter_\w+", p.read_text(encoding="utf-8"))
    )
    # A form asks each required slot with utter_ask_<form>_<slot> (Rasa's naming rule).
    for path in (ROOT / "domain").glob("*.yml"):
        forms = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("forms") or {}
        for form, spec in forms.items():
            code += "".join(f'"utter_ask_{form}_{slot}"' for slot in spec.get("required_slots", []))
    problems = [] if proc.returncode == 0 else [f"rasa data validate exited {proc.returncode}"]
    for line in output.splitlines():
        if "UserWarning" not in line and "WARNING" not in line:
            continue
        match = UNUSED.search(line)
        if match and f'"{match.group(1)}"' in code:
            continue
        problems.append(line.strip())
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(output[-3000:], file=sys.stderr)
    print("training data valid" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
