"""Merge helper-written NLU training blocks into data/nlu/, keeping test sets out.

    python -m tools.merge_training_data "Written <date> by a helper who saw no test set: ..." \
        new1.yml [new2.yml ...]

Each input is Rasa NLU YAML with one block per (intent, ``metadata.language``), plain
messages without annotations (entities come from the gazetteer). Every message whose
normalised text is already a training example, appears in any set under tests/nlu/, or
was seen earlier in the inputs is dropped: a test message in the training data would
inflate the figure measured on it. The rest is appended, with the comment as provenance,
to the language's file: responsibility questions to data/nlu/guidance/<lang>.yml, deletion
requests to data/nlu/privacy/<lang>.yml, everything else to data/nlu/<lang>.yml.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

from bot.nlu.evaluation import normal, texts_in, training_texts
from bot.paths import DATA_DIR, PROJECT_ROOT

TESTS_DIR = PROJECT_ROOT / "tests" / "nlu"
#: Intents whose examples live in a topic folder of data/nlu/.
FOLDERS = {"ask_responsibility": "guidance", "delete_my_data": "privacy"}


def texts_of_test_sets(directory: Path = TESTS_DIR) -> set[str]:
    """Every message of every labelled set under ``directory``, normalised."""
    return texts_in(directory)


def target(intent: str, language: str, nlu_dir: Path) -> Path:
    """The training file a message of ``intent`` in ``language`` belongs to."""
    folder = FOLDERS.get(intent)
    return (nlu_dir / folder if folder else nlu_dir) / f"{language}.yml"


def merge(
    comment: str,
    inputs: list[Path],
    nlu_dir: Path = DATA_DIR / "nlu",
    excluded: set[str] | None = None,
) -> Counter[str]:
    """Append the new messages of ``inputs`` to ``nlu_dir``; count added and dropped ones."""
    known = training_texts() if excluded is None else set()
    tests = texts_of_test_sets() if excluded is None else set(excluded)
    counts: Counter[str] = Counter()
    blocks: dict[Path, dict[tuple[str, str], list[str]]] = defaultdict(dict)
    for path in inputs:
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            intent, language = block["intent"], block["metadata"]["language"]
            for line in block["examples"].splitlines():
                text = line.strip()[2:].strip() if line.strip().startswith("- ") else ""
                key = normal(text)
                if not text:
                    continue
                reason = "training" if key in known else "test set" if key in tests else ""
                if reason:
                    counts[f"dropped ({reason})"] += 1
                    continue
                known.add(key)
                file_blocks = blocks[target(intent, language, nlu_dir)]
                file_blocks.setdefault((intent, language), []).append(text)
                counts["added"] += 1
    for path, by_intent in sorted(blocks.items()):
        text = path.read_text(encoding="utf-8")
        text += ("" if text.endswith("\n") else "\n") + f"# {comment}\n"
        for (intent, language), messages in by_intent.items():
            text += f"- intent: {intent}\n  metadata:\n    language: {language}\n"
            text += "  examples: |\n" + "".join(f"    - {m}\n" for m in messages)
        yaml.safe_load(text)  # still valid YAML before it is written
        path.write_text(text, encoding="utf-8")
    return counts


def main(argv: list[str]) -> int:
    """Command line: a provenance comment, then the files to merge."""
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    counts = merge(argv[0], [Path(a) for a in argv[1:]])
    print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
