"""NLU quality per language on the blind, blind_offices and dev sets -> docs/benchmarks-nlu.md.

    python -m bench.nlu_eval

The sets and the scoring are in bot/nlu/evaluation.py. Everything is parsed in-process
by the trained model (no server), so this takes about a minute.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import platform
from pathlib import Path

from bot.languages import SUPPORTED
from bot.nlu.evaluation import (
    FORM_EXIT_SETS,
    SETS,
    ExitScore,
    LanguageScore,
    Score,
    examples,
    score_form_exit,
    score_language,
    score_language_decisions,
    short_texts,
    training_texts,
)
from bot.paths import PROJECT_ROOT
from tools.processes import MODEL  # models/wegweiser.tar.gz unless WEGWEISER_MODEL says

TARGET = PROJECT_ROOT / "docs" / "benchmarks-nlu.md"


async def evaluate(model: Path = MODEL) -> dict[str, dict]:
    """Scores per set and language (the form-exit sets under their FORM_EXIT_SETS keys)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    scores: dict[str, dict] = {}
    for name, path in FORM_EXIT_SETS.items():
        scores[name] = {lang: await score_form_exit(agent, lang, path) for lang in SUPPORTED}
    scores["short"] = {}
    for lang in SUPPORTED:
        scores["short"][lang] = {
            kind: await score_language_decisions(agent, texts, lang)
            for kind, texts in short_texts(lang).items()
        }
    training = training_texts()
    for name, path in SETS.items():
        scores[name] = {}
        for lang in SUPPORTED:
            items = examples(path, lang)
            if items:  # the blind set does not cover every language yet
                scores[name][lang] = await score_language(agent, items, lang, training)
    return scores


def report_form_exit(scores: dict[str, dict]) -> list[str]:
    """The form-exit section of the report: the development and the held-out set."""
    lines = [
        "",
        "## Leaving the guidance form",
        "",
        "Inside the form a message ends it when a stop word of data/guidance/keywords/ "
        "matches, or the classifier says stop or goodbye and the message answers no "
        "question (bot/guidance/form.py, `wants_to_leave`). Both sets were written by "
        "authors who did not see the stop words: ways to leave the form mid-way and "
        'genuine answers, most of them hard negatives ("my permit has ended", "I quit '
        'my job"). The stop words were then extended while looking at the development '
        "set (tests/guidance/form_exit/, 25 + 25 per language), so its figures are "
        "optimistic; the held-out set (tests/guidance/form_exit_holdout/, 15 + 15 per "
        "language) was written afterwards and never used for tuning. Classifier and stop "
        "word columns count the leave messages each catches alone.",
    ]
    titles = {
        "form_exit": "Development set (stop words tuned on it)",
        "form_exit_holdout": "Held-out set",
    }
    for name, title in titles.items():
        per_lang: dict[str, ExitScore] = scores[name]
        lines += [
            "",
            f"### {title}",
            "",
            "| lang | leave caught | by classifier | by stop words | answers ending the form |",
            "|---|---|---|---|---|",
        ]
        total = ExitScore()
        for lang, s in per_lang.items():
            lines.append(
                f"| {lang} | {s.caught}/{s.leave} | {s.by_intent} | {s.by_keywords} | "
                f"{s.answers_ended}/{s.answers} |"
            )
            total.add(s)
        lines.append(
            f"| **all** | **{total.caught}/{total.leave}** ({total.caught / total.leave:.3f}) "
            f"| {total.by_intent} | {total.by_keywords} | {total.answers_ended}/{total.answers} |"
        )
        lines += ["", "Not caught (the form reads them as an answer or asks again):", ""]
        missed = [f"- {lang}: " + "; ".join(s.missed) for lang, s in per_lang.items() if s.missed]
        lines += missed or ["- none"]
        lines += ["", "Answers that wrongly end the form (with the classifier's intent):", ""]
        wrong = [
            f"- {lang}: " + "; ".join(s.wrongly_ended)
            for lang, s in per_lang.items()
            if s.wrongly_ended
        ]
        lines += wrong or ["- none"]
    return lines


def report(scores: dict[str, dict]) -> str:
    """The text of docs/benchmarks-nlu.md."""
    lines = [
        "# NLU quality per language",
        "",
        f"Measured {dt.date.today().isoformat()} by `make bench-nlu` "
        f"({os.cpu_count()} cores, Python {platform.python_version()}) on "
        "models/wegweiser.tar.gz.",
        "",
        "- **blind** (tests/nlu/blind/): 10 messages per intent and language, written by "
        "authors who never saw the training data or the development set. Nothing from it goes "
        "into training; this is the figure to quote. "
        "One change was made after reading it: the first measurement missed the city in "
        '"курс B1 в Вупертале" (Wuppertal with one p), which led to the doubled-letter rule '
        "in bot/nlu/gazetteer.py; the city-recall column counts that sentence as found.",
        "- **also in training**: messages that occur verbatim in data/nlu. In the blind set "
        'these are chance collisions of short everyday phrases ("hello", "thanks"); in '
        "the development set some were evidently added to training later. **acc. on the rest** "
        "leaves them out.",
        "- **dev** (tests/nlu/dev/): written apart from training, but its errors "
        "guided training-data additions, so it is a development set and reads high.",
        "- **blind_offices** (tests/nlu/blind_offices/): 250 messages per language in ten "
        "groups of 25, written by authors who saw neither the training data, the gazetteer "
        "nor the earlier sets; about a third ask for a specific office type in inflected, "
        "colloquial or misspelled form, cities in every spelling people use. Never tuned on: "
        "the gazetteer and the detector were changed on their own development examples, and "
        "this set was only run before and after. Its misses were listed in "
        "docs/benchmarks-e2e.md and read, so it is no longer quite blind.",
        "- **blind_fresh** (tests/nlu/blind_fresh/): the same design (250 per language, ten "
        "groups), written after the last training-data additions by authors who opened no "
        "file of the project (brief only). It was the honest figure for unseen phrasing until "
        "blind_final replaced it; only totals and confusion counts are reported, never "
        "its messages. Its first measurement (2026-12-06, model with the new training data, "
        "gazetteer unchanged) is the untouched one: intent 0.940 (lowest fa 0.888), "
        "office-type recall 0.889, city recall 0.984. Two changes followed that are not "
        "fully independent of it: Latin transliterations and capital-letter abbreviations "
        "(KIM; KI, JC, IP with a place) in the gazetteer, partly prompted by the authors' "
        "reports, which named some of their labelling choices (JC, KI, ABH, Hartz-4-Amt); "
        "and greetings that name an office read as office requests (bot/nlu/office_request.py, "
        "prompted by our own test of mixed messages). The figures below include both. "
        "Measured a second time (2026-12-07) "
        "after work guided only by other sets: 424 training examples for the most confused "
        "intents (written by a helper who saw no test set; the intents were chosen from the "
        "confusion counts below, which include this set's), 273 Arabic and Persian/Dari "
        "examples for everyday chat intents (a helper who saw no test set; the intents from "
        "the misses of dev, blind_offices and dev_offices), about 500 office names in the "
        "gazetteer (a helper who saw no test set, then the misses of dev_offices), French "
        "elisions, and topic questions that name their own office and a place read as "
        "office requests (from the blind_offices and dev_offices misses); second "
        "measurement: intent 0.960 (lowest fa 0.932). Third measurement (2026-12-07), after: "
        "about 960 training examples in Latin letters for ar/fa/uk/ru (Arabizi, Finglish, "
        "transliterations; helpers who saw no test set, prompted by the issue's own "
        "examples), which the language model may now choose for Latin-script messages; 295 "
        "Afghan Dari examples (a helper who saw no test set, prompted by the Dari misses of "
        "blind_offices and dev); and messages naming exactly one office and a place read as "
        "office requests whatever else the classifier thought (chosen on the development "
        "sets: 26 office requests against 7 responsibility questions the card also "
        "answers); third measurement: intent 0.972 (lowest fa 0.956), office-type recall "
        "0.965. Fourth measurement (2026-12-07), after: offices named by what they do "
        "('tasks' in the gazetteer: Bürgergeld, ALG 1, residence permit, diploma "
        "recognition; written by a helper who saw no test set, reviewed and tuned on "
        "dev_offices and blind_offices), read as office requests with a place. The idea "
        "came from the third measurement's miss reasons on this set (most e2e misses "
        "carried no contact because the office was described, not named), so this set is "
        "not independent of it. Since 2026-12-07 it is no longer the target set (blind_final "
        "is); the figures below are a fifth run after the changes listed under blind_final.",
        "- **blind_final** (tests/nlu/blind_final/): written 2026-12-07 after all the work "
        "above, same design, by eight authors (one per language) who had only a brief and "
        "opened no project file; the honest figure for unseen phrasing and the set the "
        "targets below are measured on. Its first measurement (model of 2026-12-07 with the "
        "question rule, before anything below) is the untouched one: intent 0.871 (lowest ar "
        "0.848; ask_responsibility 81/200, inform 134/200), office-type recall 0.949, city "
        "recall 0.957. Nothing was read from it afterwards but these totals. Then, guided "
        "only by **dev_final** (same brief, eight other authors, misses read): offices "
        "described by what they do or whom they serve as gazetteer tasks (about 1100 "
        "phrases from helpers who saw no test set), a city name one typo off next to an "
        "office, number-plate codes (GE, DO) with an office, Cyrillic city adjectives, short "
        "forms (Gelsen), everyday office names, and 480 training examples for inform, "
        "out_of_scope and stop (a helper who saw no test set). The figures below are the "
        "second measurement, after those changes: intent 0.897 (lowest ar 0.868), "
        "office-type recall 0.959, city recall 0.993. Of the 206 intent misses, 103 are "
        "responsibility questions that name an office, or what an office does, and a place "
        '("which office handles Bürgergeld in Duisburg?"): the office-request rule '
        "(bot/nlu/office_request.py) answers them with that office's card, by design, and "
        "the intent counts as find_office; the authors labelled them ask_responsibility. "
        "Those confusion counts steered one change (2026-12-07, fifth session): such "
        "questions now keep the intent ask_responsibility and get the card through an "
        "office_request entity and a dialogue rule, with 280 training examples of them "
        "(a helper who saw no test set); the language model also learnt common words. So "
        "blind_final is no longer independent; latest measurement after those changes: "
        "intent 0.934 (lowest uk 0.916; the table below).",
        "- **blind_holdout** (tests/nlu/blind_holdout/): written 2026-12-07 (fifth session) "
        "from blind_final's brief by eight new authors who opened no project file, while "
        "only the dialogue's handling of responsibility questions changed; the honest "
        "figure and the set the targets are measured on. Its first measurement, after the "
        "changes named under blind_final, is the untouched one: intent 0.941 (lowest ar "
        "0.908), office-type recall 0.956, city recall 0.987. Second measurement, after "
        "two changes guided by the development sets (one office and a place read as a "
        "request also when the classifier says request_human, affirm or stop; the language "
        "model's whole-word features from chat data only): intent 0.942 (lowest ar 0.908), "
        "same recalls. The figures below are a third run, after two fixes that tests found "
        "(one word never flips the language; 13 Arabic course questions as training data): "
        "intent 0.940 (lowest ar 0.904), office-type recall 0.956, city recall 0.987. A "
        "fourth run followed the sixth session's changes (listed under blind_sixth): "
        "intent 0.959; the figures below are a fifth run, after the seventh session's "
        "(listed under blind_seventh).",
        "- **blind_closing** (tests/nlu/blind_closing/): written at the start of the sixth "
        "session (2026-12-07) from the same brief by four new authors (two languages each) "
        "who opened no project file. Meant as the next honest figure, but a unit test "
        "printed the texts of all test sets once by accident (its README), so it is a "
        "second figure. First measurement: intent 0.957 (lowest en 0.940), office-type "
        "recall 0.963; the table shows a second run, after the seventh session's changes.",
        "- **blind_sixth** (tests/nlu/blind_sixth/): written later in the sixth session "
        "from the same brief by four further authors who opened no project file, after "
        "the session's NLU changes were complete: 2150 training examples from helpers who "
        "saw no test set (Arabic dialects and Arabizi, statements for the guidance "
        "questions, office requests vs responsibility questions, deletion requests, "
        "language switches, off-topic), a German-looking message with another Latin "
        "language's common word is that language's, Arabic keyboard letters mark Arabic, "
        "two offices with an 'or' ask which is responsible, five gazetteer forms. Its "
        "first, untouched measurement: intent 0.949 (lowest uk 0.932), office-type recall "
        "0.941, city recall 0.991. The table shows a second run, after the seventh "
        "session's changes (listed under blind_seventh).",
        "- **blind_seventh** (tests/nlu/blind_seventh/): written during the seventh session "
        "(2026-12-07) from the same brief by four further authors who opened no project "
        "file, copied in unread and first scored when the session's NLU changes were "
        "complete: offices described by a combination of ideas ('where do the unemployed "
        "register', data/gazetteer/office_descriptions.yml; its words written for all "
        "eight languages, the combinations checked against dev_offices and dev_final), a "
        "one-typo word inside an office name of several words, contact words German shares "
        "with French or Turkish ('Adresse', 'Telefon') no language evidence, 1047 training "
        "examples (office requests vs responsibility questions, topic questions naming an "
        "office; helpers who saw no test set). The honest figure and the set the targets "
        "are measured on; the table shows its first, untouched measurement.",
        "- **dev_final** (tests/nlu/dev_final/): written from blind_final's brief by other "
        "authors right after blind_final's first measurement; a development set (its misses "
        "guided the changes above), so it reads high.",
        "- **dev_offices** (tests/nlu/dev_offices/): 90 office questions per language, every "
        "one naming an office type and a city, written by authors who saw no project file; "
        "a development set: its misses guided the gazetteer, so it reads high. Its "
        "authors labelled every message find_office, responsibility questions too "
        '("Welches Amt ist in Duisburg für Bürgergeld zuständig?"), which blind_final\'s '
        "brief labels ask_responsibility; since such questions keep that intent (fifth "
        "session) the figure fell from 0.950 to 0.869 (80 find_office -> "
        "ask_responsibility), while the share of these questions answered with the right "
        "card rose (docs/benchmarks-e2e.md, 0.828 -> 0.833 in language).",
        "",
        "Language = messages where the detector decided from the text and picked the file's "
        "language, of all it decided from the text (undecided messages such as a bare city "
        'name, and explicit choices such as "in Arabic please", are left out). Office-type '
        "recall counts annotated office types found with the annotated value; postcode recall "
        "annotated postcodes found (in ASCII digits, whatever digits were typed).",
        "",
        "| set | lang | messages | intent acc. | also in training | acc. on the rest "
        "| city recall | office-type recall | postcode recall | language right / decided |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, per_lang in scores.items():
        if name in FORM_EXIT_SETS or name == "short":
            continue
        total = Score()
        for lang, s in per_lang.items():
            lines.append(
                f"| {name} | {lang} | {s.examples} | {s.accuracy:.3f} | {s.in_training} | "
                f"{s.accuracy_unseen:.3f} | {_recall(s.cities_found, s.cities)} | "
                f"{_recall(s.offices_found, s.offices)} | "
                f"{_recall(s.postcodes_found, s.postcodes)} | "
                f"{s.language_right}/{s.language_decided} |"
            )
            total.add(s)
        lines.append(
            f"| **{name}** | all | {total.examples} | **{total.accuracy:.3f}** | "
            f"{total.in_training} | {total.accuracy_unseen:.3f} | "
            f"{_recall(total.cities_found, total.cities)} | "
            f"{_recall(total.offices_found, total.offices)} | "
            f"{_recall(total.postcodes_found, total.postcodes)} | "
            f"{total.language_right}/{total.language_decided} |"
        )
        per_lang["all"] = total
    for name in (
        "blind",
        "blind_offices",
        "blind_fresh",
        "blind_final",
        "blind_holdout",
        "blind_closing",
        "blind_sixth",
        "blind_seventh",
    ):
        if name not in scores:
            continue
        confusions = scores[name]["all"].confusions
        lines += [
            "",
            f"## Most frequent confusions on the {name} set (expected → predicted)",
            "",
            "| expected | predicted | count |",
            "|---|---|---|",
        ]
        lines += [f"| {a} | {b} | {n} |" for (a, b), n in confusions.most_common(12)]
    # The freshest blind set carries the targets.
    target_set = next(
        (n for n in ("blind_seventh", "blind_sixth", "blind_closing") if n in scores), ""
    )
    if target_set:
        lines += report_targets(scores, target_set)
    for name in (
        "blind_seventh",
        "blind_sixth",
        "blind_closing",
        "blind_holdout",
        "blind_final",
        "blind_fresh",
        "blind_offices",
    ):
        if name in scores:
            lines += report_groups(scores[name], name)
    lines += report_short(scores["short"])
    lines += report_form_exit(scores)
    lines.append("")
    return "\n".join(lines)


def report_short(per_lang: dict[str, dict[str, LanguageScore]]) -> list[str]:
    """Language decision on short messages: in-domain vs general vocabulary."""
    kinds = list(next(iter(per_lang.values())))
    lines = [
        "",
        "## Language of short messages",
        "",
        "Share of messages whose language the detector (char n-gram model, lingua and "
        "langdetect as voters, script rules, minimum evidence) decides right; an undecided "
        "message counts as not right, explicit choices are left out. **in-domain**: "
        "tests/nlu/short/ (greetings, thanks, yes/no, 1-4 words; the in-domain floor is "
        "0.97). **single words** / **word pairs**: tests/nlu/vocabulary/, 150 random "
        "dictionary words and 150 random pairs per language from the word lists of "
        "Debian's hunspell/aspell dictionaries (tools/make_vocabulary_set.py, seed 15; "
        "words another language of the same script also lists are left out). Mostly rare "
        'words ("belligerent", "gonadotrope"), so harder than what people type. '
        "lingua's weight was chosen on a second draw (seed 1015), not on this one. Since "
        "2026-12-07 lingua's Arabic/Persian models run in low-accuracy mode to keep the "
        "Rasa server under 1.2 GiB (config.yml): single words 0.877 -> 0.868, word pairs "
        "0.968 -> 0.963, in-domain 0.994 -> 0.989 (one Arabic and one Persian message); "
        "Ukrainian/Russian instead saved more but cost short Ukrainian chat messages "
        "(in-domain uk 0.966 -> 0.932). Since 2026-12-07 (fifth session) the language "
        "model also learns each language's 10,000 most frequent words (data/langid/words/, "
        "wordfreq's lists, without any word of this draw or the development draw; the count "
        "was chosen on the development draw: 0.853 -> 0.896 single words there): single "
        "words 0.868 -> 0.889, word pairs 0.963 -> 0.974, in-domain 0.989 -> 0.985 (one "
        "more Arabic and one more Russian message missed). Hand-written colloquial "
        "Arabic/Persian word lists on top changed one development message and were not kept.",
        "",
        "| lang | " + " | ".join(kinds) + " |",
        "|---|" + "---|" * len(kinds),
    ]
    totals = {kind: LanguageScore() for kind in kinds}
    for lang, scores in per_lang.items():
        cells = []
        for kind in kinds:
            s = scores[kind]
            totals[kind].add(s)
            cells.append(f"{s.accuracy:.3f} ({s.right}/{s.messages})")
        lines.append(f"| {lang} | " + " | ".join(cells) + " |")
    cells = [f"**{t.accuracy:.3f}** ({t.right}/{t.messages})" for t in totals.values()]
    lines.append("| **all** | " + " | ".join(cells) + " |")
    return lines


def _recall(found: int, total: int) -> str:
    return f"{found / total:.3f} ({found}/{total})" if total else "–"


def report_targets(scores: dict[str, dict], target_set: str) -> list[str]:
    """The targets for unseen phrasing: the freshest blind set and the short-message sets."""
    blind = scores[target_set]
    langs = [lang for lang in blind if lang != "all"]
    short_totals: dict[str, LanguageScore] = {}
    for per_kind in scores["short"].values():
        for kind, s in per_kind.items():
            short_totals.setdefault(kind, LanguageScore()).add(s)
    worst = min(langs, key=lambda lang: blind[lang].accuracy)
    rows = [
        (
            "intent accuracy, every language",
            "≥ 0.95",
            f"lowest {blind[worst].accuracy:.3f} ({worst})",
            all(blind[lang].accuracy >= 0.95 for lang in langs),
        ),
        (
            "office-type recall",
            "≥ 0.95",
            f"{blind['all'].office_recall:.3f}",
            blind["all"].office_recall >= 0.95,
        ),
        (
            "city recall",
            "≥ 0.98",
            f"{blind['all'].city_recall:.3f}",
            blind["all"].city_recall >= 0.98,
        ),
    ]
    for kind, target in (("word pairs", 0.95), ("single words", 0.88), ("in-domain", 0.97)):
        if kind in short_totals:
            value = short_totals[kind].accuracy
            rows.append(
                (
                    f"language of short messages: {kind}",
                    f"≥ {target}",
                    f"{value:.3f}",
                    value >= target,
                )
            )
    lines = [
        "",
        "## Targets for unseen phrasing",
        "",
        f"Intent, office-type and city figures on {target_set} (all languages), short-message "
        "language on tests/nlu/vocabulary and tests/nlu/short.",
        "",
        "| target | wanted | measured | reached |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {want} | {got} | {'yes' if ok else '**no**'} |" for name, want, got, ok in rows
    ]
    return lines


def report_groups(per_lang: dict[str, Score], name: str) -> list[str]:
    """Intent accuracy per message group and language of a blind office set."""
    langs = [lang for lang in per_lang if lang != "all"]
    groups = sorted(per_lang["all"].groups)
    lines = [
        "",
        f"## {name}: intent accuracy per group",
        "",
        "| group | " + " | ".join(langs) + " | all |",
        "|---|" + "---|" * (len(langs) + 1),
    ]
    for group in groups:
        cells = [
            f"{per_lang[lang].groups_right[group]}/{per_lang[lang].groups[group]}"
            for lang in langs + ["all"]
        ]
        lines.append(f"| {group} | " + " | ".join(cells) + " |")
    return lines


def main() -> int:
    """Evaluate and write docs/benchmarks-nlu.md."""
    scores = asyncio.run(evaluate())
    TARGET.write_text(report(scores), encoding="utf-8")
    print(TARGET.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
