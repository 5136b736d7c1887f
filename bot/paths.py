"""Where the project's files are: one definition for code, tests and tools."""

from __future__ import annotations

from pathlib import Path

#: Project root (the directory holding data/, domain/, config.yml).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Per-language and directory data (data/nlu, data/responses, data/offices, ...).
DATA_DIR = PROJECT_ROOT / "data"
#: Common words per language for the language model (tools/make_langid_words.py).
LANGID_WORDS_DIR = DATA_DIR / "langid" / "words"
#: Runtime state of a local run (SQLite tracker store, generated secrets); git-ignored.
VAR_DIR = PROJECT_ROOT / "var"
