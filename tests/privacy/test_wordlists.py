"""The redactor's word lists are per-language data files, complete for every language."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.languages import SUPPORTED
from bot.privacy.wordlists import (
    KEYS,
    WORDLIST_DIR,
    WordListError,
    language_path,
    load_language,
    word_lists,
)


@pytest.mark.parametrize("lang", SUPPORTED)
def test_every_supported_language_has_a_file_with_every_key(lang):
    # A language added to bot/languages.py fails here until data/privacy/<lang>.yml exists.
    assert language_path(lang).exists(), f"data/privacy/{lang}.yml is missing"
    lists = load_language(lang)
    assert set(lists) == set(KEYS)
    assert lists["months"], f"{lang}: no month names"


def test_no_file_for_an_unsupported_language():
    assert {p.stem for p in WORDLIST_DIR.glob("*.yml")} == set(SUPPORTED)


def write(directory: Path, code: str, data: dict) -> None:
    (directory / f"{code}.yml").write_text(yaml.safe_dump(data, allow_unicode=True))


def test_a_missing_file_or_key_fails_loudly(tmp_path):
    with pytest.raises(WordListError, match="missing"):
        load_language("xx", tmp_path)
    complete = {"language": "xx", **{key: [] for key in KEYS}}
    write(tmp_path, "xx", complete)
    assert load_language("xx", tmp_path) == {key: [] for key in KEYS}
    write(tmp_path, "xx", {k: v for k, v in complete.items() if k != "months"})
    with pytest.raises(WordListError, match="months"):
        load_language("xx", tmp_path)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("months", ["Mai"], "not lowercase"),
        ("case_fillers", [False], "list of strings"),  # an unquoted `no` in YAML
        ("phone_keywords", "tel", "list of strings"),
        ("streets", [], "unknown keys"),
        ("language", "de", "`language`"),
    ],
)
def test_malformed_entries_are_rejected(tmp_path, key, value, message):
    write(tmp_path, "xx", {"language": "xx", **{k: [] for k in KEYS}, key: value})
    with pytest.raises(WordListError, match=message):
        load_language("xx", tmp_path)


def test_street_suffixes_also_stand_alone_and_months_never_start_a_street():
    words = word_lists()
    assert {"kamp", "straße", "str", "штрассе"} <= words.street_words_after
    assert {"mai", "march", "мая"} <= words.not_street_names
