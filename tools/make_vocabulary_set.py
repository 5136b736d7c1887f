"""Build the general-vocabulary short-text set tests/nlu/vocabulary/<lang>.yml.

    apt-get install hunspell-de-de hunspell-en-us hunspell-ar hunspell-tr hunspell-uk \
        hunspell-ru hunspell-fr aspell aspell-fa
    python -m tools.make_vocabulary_set [--seed 15] [--out tests/nlu/vocabulary]

Random single words and word pairs from the word lists that Debian's hunspell/aspell
dictionaries ship (not from our training data), to measure the language decision on
short messages outside our own domain (bench/nlu_eval.py reports it).

Which words are drawn: lower-case words of 3-14 letters in the language's script only
(German nouns are capitalised, so German keeps capitals); no abbreviations, digits,
apostrophes or hyphens; and no word that the list of another language in the same
script also has ("hotel", "taxi", "بنك"): such a word alone is no evidence for
either language. Hunspell lists stems; the Persian aspell list also has inflected forms.
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from bot.paths import PROJECT_ROOT

HUNSPELL = Path("/usr/share/hunspell")
#: language -> (Debian package, how to read its word list)
SOURCES = {
    "de": ("hunspell-de-de", HUNSPELL / "de_DE.dic"),
    "en": ("hunspell-en-us", HUNSPELL / "en_US.dic"),
    "ar": ("hunspell-ar", HUNSPELL / "ar.dic"),
    "tr": ("hunspell-tr", HUNSPELL / "tr_TR.dic"),
    "uk": ("hunspell-uk", HUNSPELL / "uk_UA.dic"),
    "ru": ("hunspell-ru", HUNSPELL / "ru_RU.dic"),
    "fa": ("aspell-fa", None),  # aspell's compiled list: `aspell -d fa dump master`
    "fr": ("hunspell-fr", HUNSPELL / "fr.dic"),
}
#: Letters a word of each language may consist of (lower case; German also upper).
LETTERS = {
    "de": "a-zäöüß",
    "en": "a-z",
    "fr": "a-zàâæçéèêëîïôœùûüÿ",
    "tr": "a-zçğıöşüâîû",
    "uk": "а-щьюяєіїґ",
    "ru": "а-яё",
    "ar": "\u0621-\u063a\u0641-\u064a",
    "fa": "\u0621-\u063a\u0641-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc\u200c",
}
SCRIPT = {"de": 0, "en": 0, "fr": 0, "tr": 0, "uk": 1, "ru": 1, "ar": 2, "fa": 2}
SINGLES = 150
PAIRS = 150


def raw_words(lang: str) -> list[str]:
    """Every entry of the language's word list, without hunspell flags."""
    package, path = SOURCES[lang]
    if path is None:
        dump = subprocess.run(
            ["aspell", "-d", lang, "dump", "master"], capture_output=True, text=True, check=True
        )
        lines = dump.stdout.splitlines()
    else:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()[1:]
    words = []
    for line in lines:
        if not line or line[0].isspace() or line.startswith(("#", "/")):
            continue
        word = line.split("/", 1)[0].split("\t", 1)[0].split(" ", 1)[0].strip()
        words.append(unicodedata.normalize("NFC", word))
    return words


def usable(lang: str, words: list[str]) -> list[str]:
    """Words of 3-14 letters of the language's own alphabet, in a fixed order."""
    letters = LETTERS[lang] + ("A-ZÄÖÜ" if lang == "de" else "")
    pattern = re.compile(f"[{letters}]{{3,14}}")
    out = {w for w in words if pattern.fullmatch(w)}
    if lang == "de":  # a capital only at the start (nouns), no acronyms
        out = {w for w in out if w[1:] == w[1:].lower()}
    return sorted(out)


def same_script_words(lists: Mapping[str, Iterable[str]], lang: str) -> set[str]:
    """Every word that another language written in ``lang``'s script lists."""
    return set().union(*(lists[o] for o in lists if o != lang and SCRIPT[o] == SCRIPT[lang]))


def build(seed: int) -> dict[str, dict[str, list[str]]]:
    """Singles and pairs per language; words shared with a same-script language dropped."""
    lists = {lang: usable(lang, raw_words(lang)) for lang in SOURCES}
    folded = {lang: {w.casefold().replace("\u200c", "") for w in ws} for lang, ws in lists.items()}
    rng = random.Random(seed)
    sets = {}
    for lang, words in lists.items():
        others = same_script_words(folded, lang)
        own = [w for w in words if w.casefold().replace("\u200c", "") not in others]
        drawn = rng.sample(own, SINGLES + 2 * PAIRS)
        singles = drawn[:SINGLES]
        pairs = [f"{a} {b}" for a, b in zip(drawn[SINGLES::2], drawn[SINGLES + 1 :: 2])]
        sets[lang] = {"singles": singles, "pairs": pairs, "pool": len(own)}
    return sets


def main() -> int:
    """Write one YAML file per language."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "tests" / "nlu" / "vocabulary")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for lang, data in build(args.seed).items():
        version = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", SOURCES[lang][0]],
            capture_output=True,
            text=True,
        ).stdout
        body = {
            "language": lang,
            "source": f"Debian {SOURCES[lang][0]} {version}".strip(),
            "seed": args.seed,
            "pool": data["pool"],
            "singles": data["singles"],
            "pairs": data["pairs"],
        }
        text = yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100)
        (args.out / f"{lang}.yml").write_text(
            "# Generated by tools/make_vocabulary_set.py; do not edit.\n" + text, encoding="utf-8"
        )
        print(lang, data["pool"], "words to draw from")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
