"""Script rules and the minimum-evidence rule of bot/nlu/langid.py (no trained model)."""

from __future__ import annotations

import pytest

from bot.languages import normalise_code
from bot.nlu.langid import (
    GUEST_CONFIDENCE,
    LanguageIdentifier,
    TextModel,
    main_script,
    romanized,
)
from bot.nlu.language_detector import common_words, guest_words
from bot.nlu.text import fold

ident = LanguageIdentifier(model=None)


@pytest.mark.parametrize(
    "text,code",
    [
        ("дякую і бувай", "uk"),
        ("привіт, де джобцентр", "uk"),
        ("спасибо, вы очень помогли", "ru"),
        ("это ты", "ru"),
        ("میخواهم کار پیدا کنم", "fa"),
        ("چطوری", "fa"),
        ("teşekkürler", "tr"),
        ("iş arıyorum", "tr"),
    ],
)
def test_marker_letters_decide_alone(text, code):
    guess = ident.identify(text)
    assert (guess.code, guess.source) == (code, "script")


@pytest.mark.parametrize(
    "text",
    [
        "جوبسنتر هيرني رقمه شنو",  # Iraqi: Arabic keyboard's yeh
        "الانتغريشن بوينت بهاجن شو عنوانو",
        "عنوان وكالة العمل دويسبورغ",  # ta marbuta, Arabic kaf
        "مكتب الاجانب ببوتروپ رقمو شو",  # Persian pe in the name, Arabic kaf typed
    ],
)
def test_arabic_keyboard_letters_mark_arabic(text):
    guess = ident.identify(text)
    assert (guess.code, guess.source) == ("ar", "script")


def test_persian_keyboard_letters_beat_an_arabic_letter_in_a_name():
    # A Persian writer pasting an Arabic-spelt name: the keyboard's yeh/kaf decide.
    guess = ident.identify("کجا می‌توانم کار پیدا کنم نزد جامعة اسن")
    assert guess.code == "fa"


@pytest.mark.parametrize("text", ["ok", "👍👍", "45127", "  ", "?!", "okay 🙂", ""])
def test_no_evidence_no_decision(text):
    assert ident.identify(text) is None


def test_masked_names_carry_no_evidence():
    assert ident.identify("Essen 45127", masked=[(0, 5), (6, 11)]) is None


@pytest.mark.parametrize(
    "text,names",
    [
        ("Hagener Arbeitsamt telefon", "Hagener Arbeitsamt"),
        ("JC Wuppertal Adresse?", "JC Wuppertal"),
        ("Integration Point Bottrop Adresse", "Integration Point Bottrop"),
    ],
)
def test_contact_words_shared_with_german_are_no_evidence(text, names):
    # "Telefon" is Turkish and German, "Adresse" French and German: names only.
    assert ident.identify(text, masked=[(0, len(names))]) is None


def test_unsupported_script_is_unsupported():
    guess = ident.identify("ሰላም ስራ እፈልጋለሁ")  # Tigrinya/Amharic (Ethiopic script)
    assert guess is not None and not guess.supported


@pytest.mark.parametrize(
    "raw,code",
    [
        ("uk-UA", "uk"),
        ("de_DE", "de"),
        ("FA", "fa"),
        ("prs", "fa"),
        ("", None),
        (None, None),
        ("12", None),
    ],
)
def test_locale_normalisation(raw, code):
    assert normalise_code(raw) == code


@pytest.mark.parametrize(
    "a,b",
    [
        ("مَكْتَبُ", "مكتب"),
        ("كلاس", "کلاس"),
        ("İstanbul", "istanbul"),
        ("Ausländerbehörde", "auslanderbehorde"),
        ("می‌خواهم", "میخواهم"),
        ("\u202ehallo", "hallo"),
    ],
)
def test_fold_unifies_spellings(a, b):
    assert fold(a) == fold(b)


@pytest.mark.parametrize(
    "text,script",
    [
        ("шукаю Berufssprachkurs у Дортмунді", "cyrillic"),
        ("أحتاج Bürgergeld", "arabic"),
        ("Ich brauche Hilfe beim Jobcenter", "latin"),
        ("Hallo, я", "latin"),  # one Cyrillic letter is no script of its own
        ("", None),
    ],
)
def test_arabic_or_cyrillic_words_outweigh_german_terms(text, script):
    assert main_script(text) == script


class _FixedModel:
    """Stands in for the trained char n-gram model: fixed probabilities per label."""

    def __init__(self, probabilities: dict[str, float]) -> None:
        self._probabilities = probabilities

    def probabilities(self, text: str) -> dict[str, float]:
        return dict(self._probabilities)


def test_latin_letters_can_be_arabizi_when_the_model_is_sure():
    ident = LanguageIdentifier(_FixedModel({"ar": 0.8, "de": 0.1, "en": 0.1}))
    guess = ident.identify("shu ra2m el jobcenter b dortmund please", masked=[])
    assert (guess.code, guess.script) == ("ar", "latin")


def test_a_transliteration_must_be_the_clear_favourite():
    # "konsul" looks Russian to a model that has seen transliterated Russian; a
    # transliteration is chosen only when it is at least ROMANIZED_MIN_CONFIDENCE sure.
    ident = LanguageIdentifier(_FixedModel({"ru": 0.4, "de": 0.35, "en": 0.25}))
    assert ident.identify("konsul").code == "de"


def test_langdetect_does_not_outvote_a_transliteration():
    # langdetect reads this Arabizi as Welsh (0.86); it is not asked then.
    ident = LanguageIdentifier(_FixedModel({"ar": 0.9, "en": 0.1}))
    text = "ana bde maw3ed 3nd el auslaenderbehoerde ya3ni bsor3a law sama7t"
    assert ident.identify(text).code == "ar"


GUESTS = {"tr": ["nedir", "için"], "fr": ["merci", "téléphone"], "en": ["please", "opening"]}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Dortmund Jobcenter öffnungszeiten nedir", "tr"),
        ("Ausländerbehörde Termin téléphone", "fr"),
        ("wo ist das jobcenter please", "en"),
        ("wo ist das jobcenter", "de"),
        # two guest languages: no evidence for either beyond German
        ("Termin nedir merci", "de"),
    ],
)
def test_a_common_word_of_another_language_beats_german_loans(text, code):
    # People of every language borrow German office words; German speakers do not
    # borrow "nedir" or "merci".
    ident = LanguageIdentifier(
        _FixedModel({"de": 0.7, "tr": 0.1, "fr": 0.1, "en": 0.1}), guest_words=GUESTS
    )
    guess = ident.identify(text)
    assert guess.code == code
    if code != "de":
        assert guess.confidence == GUEST_CONFIDENCE


def test_guest_words_only_overrule_german():
    ident = LanguageIdentifier(_FixedModel({"en": 0.7, "de": 0.3}), guest_words=GUESTS)
    assert ident.identify("where is the jobcenter, merci").code == "en"


def test_guest_words_are_common_words_german_does_not_share():
    words = guest_words(800)
    assert set(words) == {"en", "tr", "fr"}
    german = set(common_words()["de"])
    for language, listed in words.items():
        assert len(listed) == 800
        assert not german & set(listed), language
    assert "nedir" in words["tr"] and "merci" in words["fr"]


@pytest.mark.parametrize(
    ("code", "script", "expected"),
    [("ar", "latin", True), ("uk", "latin", True), ("ar", "arabic", False), ("de", "latin", False)],
)
def test_romanized(code, script, expected):
    assert romanized(code, script) is expected


def test_text_model_fast_path_agrees_with_scikit_learn():
    texts = ["hallo wie geht es", "hello how are you", "merhaba nasılsın", "bonjour ça va"] * 3
    labels = ["de", "en", "tr", "fr"] * 3
    model = TextModel.train(texts, labels)
    assert model._fast is not None  # the shape train() builds takes the fast path
    for text in ["guten tag", "good morning", "iyi günler", "bonne journée", "ok 123"]:
        expected = model._pipeline.predict_proba([TextModel.prepare(text)])[0]
        got = model.probabilities(text)
        assert [round(got[label], 9) for label in model.labels] == [
            round(float(p), 9) for p in expected
        ]
