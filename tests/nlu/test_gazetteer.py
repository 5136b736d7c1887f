"""The gazetteer finds cities, postcodes, office types and languages in all scripts."""

from __future__ import annotations

import pytest

from bot.nlu.gazetteer import Gazetteer
from bot.paths import DATA_DIR


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_directory(DATA_DIR / "gazetteer")


CITIES = [
    ("Wo ist das Jobcenter in Essen?", "Essen"),
    ("Essen'de kurs var mı", "Essen"),
    ("Bochumda yaşıyorum", "Bochum"),
    ("я живу в Эссене", "Essen"),
    ("я живу в Ессені", "Essen"),
    ("у Бохумі", "Bochum"),
    ("في إيسن", "Essen"),
    ("أسكن بدورتموند", "Dortmund"),
    ("در دورتموند زندگی میکنم", "Dortmund"),
    ("ich wohne in muelheim", "Mülheim an der Ruhr"),
    ("Mülheim an der Ruhr", "Mülheim an der Ruhr"),
    ("je vis à Gelsenkirchen", "Gelsenkirchen"),
    ("из Дортмунда", "Dortmund"),
    ("wuppertal'da", "Wuppertal"),
]


@pytest.mark.parametrize("text,city", CITIES)
def test_city_in_every_script_and_inflection(gazetteer, text, city):
    found = [m for m in gazetteer.find(text) if m.entity == "city"]
    assert [m.value for m in found] == [city]
    assert text[found[0].start : found[0].end] == found[0].text


@pytest.mark.parametrize(
    "text,office",
    [
        ("wo ist das jobcenter", "jobcenter"),
        ("أين الجوب سنتر", "jobcenter"),
        ("де знаходиться джобцентр", "jobcenter"),
        ("je cherche l'Ausländerbehörde", "immigration_office"),
        ("adresse der agentur für arbeit", "employment_agency"),
    ],
)
def test_office_types(gazetteer, text, office):
    assert office in [m.value for m in gazetteer.find(text) if m.entity == "office_type"]


def test_postcode_and_no_false_city(gazetteer):
    found = gazetteer.find("meine PLZ ist 45127, Telefon 0201123456")
    assert [(m.entity, m.value) for m in found] == [("postal_code", "45127")]


@pytest.mark.parametrize(
    "text,code",
    [
        ("English please", "en"),
        ("بالعربية", "ar"),
        ("auf Deutsch bitte", "de"),
        ("Türkçe konuşalım", "tr"),
        ("по-русски", "ru"),
        ("українською", "uk"),
        ("به فارسی", "fa"),
        ("en français svp", "fr"),
    ],
)
def test_language_names(gazetteer, text, code):
    assert code in [m.value for m in gazetteer.find(text) if m.entity == "language"]


def test_served_cities_are_the_twelve(gazetteer):
    assert gazetteer.served_cities == {
        "Essen",
        "Bottrop",
        "Herne",
        "Bochum",
        "Dortmund",
        "Duisburg",
        "Gelsenkirchen",
        "Mülheim an der Ruhr",
        "Oberhausen",
        "Hagen",
        "Wuppertal",
        "Bielefeld",
    }


@pytest.mark.parametrize(
    "text,city",
    [
        ("ich wohne in Botrop", "Bottrop"),
        ("курс в Вупертале", "Wuppertal"),
        ("jobcenter gelsenkirrchen", "Gelsenkirchen"),
        ("wohne in Oberhaussen", "Oberhausen"),
    ],
)
def test_a_doubled_letter_dropped_or_added(gazetteer, text, city):
    assert [m.value for m in gazetteer.find(text) if m.entity == "city"] == [city]


@pytest.mark.parametrize(
    "text", ["bon courage", "a ham sandwich", "im Sommer", "Kommunikation", "Hammer und Nagel"]
)
def test_collapsing_doubled_letters_finds_no_city_in_ordinary_words(gazetteer, text):
    assert [m for m in gazetteer.find(text) if m.entity == "city"] == []


# Written from the authors' own knowledge of how people name the offices
# (not from any test set): inflected, colloquial and attached forms per language.
INFLECTED_OFFICES = [
    # ru: case endings on every word of the name, everyday names
    ("где находится ведомство по делам иностранцев в Эссене", "immigration_office"),
    ("адрес ведомства по делам иностранцев", "immigration_office"),
    ("в отделе по делам иностранцев сказали", "immigration_office"),
    ("телефон ауслендербехерде в Бохуме", "immigration_office"),
    ("иду завтра в ауслендер", "immigration_office"),
    ("в миграционную службу Дортмунда", "immigration_office"),
    ("адрес интеграционного центра в Хагене", "integration_center"),
    ("в интеграционном центре", "integration_center"),
    ("в агентстве по труду сказали", "employment_agency"),
    ("номер биржи труда", "employment_agency"),
    ("в арбайтсамте", "employment_agency"),
    ("адрес джобцентра в Эссене", "jobcenter"),
    ("с джобцентром", "jobcenter"),
    ("в миграционной консультации", "migration_counselling"),
    ("в молодёжной миграционной службе", "youth_migration_service"),
    ("в торгово-промышленной палате", "recognition_counselling"),
    ("интеграционного пункта", "integration_point"),
    ("молодёжного агентства занятости", "youth_employment_agency"),
    # uk: у/в and з/із vary, locative -і
    ("у відомстві в справах іноземців", "immigration_office"),
    ("до відомства у справах іноземців", "immigration_office"),
    ("в міграційній службі", "immigration_office"),
    ("в інтеграційному центрі", "integration_center"),
    ("до центру інтеграції", "integration_center"),
    ("агентство з праці", "employment_agency"),
    ("в агентстві з питань праці", "employment_agency"),
    ("на біржі праці", "employment_agency"),
    ("до служби зайнятості", "employment_agency"),
    ("у джобцентрі", "jobcenter"),
    ("у молодіжній міграційній службі", "youth_migration_service"),
    ("до торгово-промислової палати", "recognition_counselling"),
    # ar: proclitics و/ب/ل/ال/عال, names written together or apart
    ("وين الجوبسنتر", "jobcenter"),
    ("بدي روح عالجوب سنتر", "jobcenter"),
    ("لدائرة الاجانب في بوخوم", "immigration_office"),
    ("موعد بالأوسلندر", "immigration_office"),
    ("مكتب شؤون الأجانب", "immigration_office"),
    ("لوكالة العمل", "employment_agency"),
    ("بمركز الإندماج", "integration_center"),
    # fa: ezafe, ZWNJ or none, plural -ها attached
    ("جابسنتر کجاست", "jobcenter"),
    ("اداره‌ی اتباع خارجی", "immigration_office"),
    ("به اداره خارجی‌ها رفتم", "immigration_office"),
    ("اداره خارجیها", "immigration_office"),
    ("ادارهٔ کار", "employment_agency"),
    ("مرکز ادغام شهر", "integration_center"),
    # tr: case suffixes after an apostrophe or attached
    ("Jobcenter'a gitmem lazım", "jobcenter"),
    ("jobcenterdan mektup geldi", "jobcenter"),
    ("jobcenterdaki memur", "jobcenter"),
    ("yabancılar dairesinden randevu", "immigration_office"),
    ("iş ajansına başvurdum", "employment_agency"),
    ("entegrasyon merkezindeki", "integration_center"),
    ("göç danışmanlığına", "migration_counselling"),
    ("Arbeitsamt'tan", "employment_agency"),
    # de / en / fr: inflection and one typo in a long word
    ("des Jobcenters", "jobcenter"),
    ("zur Ausländerbehöre", "immigration_office"),
    ("im Kommunalen Integrationszentrum", "integration_center"),
    ("the immigration offices", "immigration_office"),
    ("au bureau des étrangers", "immigration_office"),
    ("à l'agence pour l'emploi", "employment_agency"),
]


@pytest.mark.parametrize("text,office", INFLECTED_OFFICES)
def test_office_types_inflected_and_colloquial(gazetteer, text, office):
    assert [m.value for m in gazetteer.find(text) if m.entity == "office_type"] == [office]


@pytest.mark.parametrize(
    "text,city",
    [
        # Cyrillic cases, Ukrainian г/з alternation, hyphenated names
        ("живу у Білефельді", "Bielefeld"),
        ("у Дуйсбурзі", "Duisburg"),
        ("в Гельзенкірхені", "Gelsenkirchen"),
        ("в Мюльхайме-на-Руре", "Mülheim an der Ruhr"),
        ("з Оберхаузена", "Oberhausen"),
        ("у Вупперталі", "Wuppertal"),
        # Arabic script: a name in two words or hyphenated, vowels and g/p letters vary
        ("بیله فلد", "Bielefeld"),
        ("بيله-فيلد", "Bielefeld"),
        ("در بیله فلد زندگی میکنم", "Bielefeld"),
        ("گلزن کیرشن", "Gelsenkirchen"),
        ("غيلسن كيرشن", "Gelsenkirchen"),
        ("اوبر هاوزن", "Oberhausen"),
        ("بوپرتال", "Wuppertal"),
        ("بدويسبورغ", "Duisburg"),
        # Turkish suffixes attached or after an apostrophe
        ("Bochumdaki jobcenter", "Bochum"),
        ("Dortmund'daki", "Dortmund"),
        ("Gelsenkirchende oturuyorum", "Gelsenkirchen"),
        ("Herneye gidiyorum", "Herne"),
        ("Wuppertaldan geldim", "Wuppertal"),
        ("gelsenkirchendeyim", "Gelsenkirchen"),  # "I am in Gelsenkirchen"
        ("Essen'deyiz", "Essen"),
        # Latin transliterations of Cyrillic names
        ("dzhobcentr v Bokhume", "Bochum"),
        ("jobcenter v Myulgaime", "Mülheim an der Ruhr"),
    ],
)
def test_city_names_split_inflected_or_suffixed(gazetteer, text, city):
    found = [m for m in gazetteer.find(text) if m.entity == "city"]
    assert [m.value for m in found] == [city]
    assert text[found[0].start : found[0].end] == found[0].text


@pytest.mark.parametrize(
    "text,span",
    [("في دويسبورغ", "دويسبورغ"), ("بوخوم صبح", "بوخوم"), ("ببوخوم شو", "ببوخوم")],
)
def test_a_known_name_is_not_joined_with_the_next_word(gazetteer, text, span):
    assert [m.text for m in gazetteer.find(text) if m.entity == "city"] == [span]


@pytest.mark.parametrize(
    "text,code",
    [("PLZ ٤٤١٣٥", "44135"), ("۴۴۱۳۵ بوخوم", "44135"), ("45127", "45127")],
)
def test_postcodes_in_any_digits_have_an_ascii_value(gazetteer, text, code):
    assert [m.value for m in gazetteer.find(text) if m.entity == "postal_code"] == [code]


@pytest.mark.parametrize(
    "text",
    [
        "я иду домой",
        "у меня нет документов",
        "дела идут",
        "центр города",
        "служба доставки",
        "палата в больнице",
        "агентство недвижимости",
        "مكتب",
        "اداره",
        "باشه مرسی",
        "هام جدا",
        "kurum",
        "daire",
        "merkez",
        "Herren",
        "Hafen",
        "integration course",
    ],
)
def test_ordinary_words_are_no_office_or_city(gazetteer, text):
    assert [m for m in gazetteer.find(text) if m.entity in ("city", "office_type")] == []


@pytest.mark.parametrize(
    "text,value",
    [
        ("in Mühlheim", "Mülheim an der Ruhr"),
        ("Bielfeld", "Bielefeld"),
        ("Gelsenkrichen", "Gelsenkirchen"),
        ("Wupertal", "Wuppertal"),
        ("Auslenderbehorde", "immigration_office"),
        ("Jugendmigrationsdinst", "youth_migration_service"),
    ],
)
def test_one_typo_in_a_long_name(gazetteer, text, value):
    assert [m.value for m in gazetteer.find(text)] == [value]


@pytest.mark.parametrize(
    "text,value",
    [
        ("Agentur für Arbiet Hagen E-Mail", "employment_agency"),
        ("agentur fur arbeid dortmund", "employment_agency"),
        ("integration piont Duisburg", "integration_point"),
        ("Migrations berattung Hagen", "migration_counselling"),
        # one typo away from "arbeitsamt", which also names a task of the same office
        ("bottrop arbeitzamt", "employment_agency"),
        ("arbeisamt bochum", "employment_agency"),
    ],
)
def test_one_typo_inside_a_name_of_several_words(gazetteer, text, value):
    assert [m.value for m in gazetteer.find(text) if m.entity == "office_type"] == [value]


@pytest.mark.parametrize(
    "text", ["ich suche arbiet in Essen", "für arbiet", "a good piont", "eine beratong"]
)
def test_a_short_typo_needs_its_neighbour_in_the_name(gazetteer, text):
    assert [m for m in gazetteer.find(text) if m.entity == "office_type"] == []


@pytest.mark.parametrize("text", ["a monster", "monsters", "Hagel", "Essig", "Hafen"])
def test_short_words_get_no_typo_tolerance(gazetteer, text):
    assert [m.value for m in gazetteer.find(text) if m.entity == "city"] == []


@pytest.mark.parametrize("text", ["بدي ميني جوب", "كيف استعمل جوب بورصه", "einen Minijob"])
def test_job_alone_is_no_jobcenter(gazetteer, text):
    assert [m for m in gazetteer.find(text) if m.entity == "office_type"] == []


@pytest.mark.parametrize(
    "text,office",
    [
        ("Adresse vom KI in Gelsenkirchen", "integration_center"),
        ("KI'ya nasıl ulaşırım Bottrop'ta", "integration_center"),
        ("Kontakt zum KIM", "integration_center"),
        ("muss zum JC Oberhausen", "jobcenter"),
        ("where is the IP in dortmund", "integration_point"),
    ],
)
def test_abbreviations_typed_in_capitals(gazetteer, text, office):
    assert offices_in(gazetteer, text) == [office]


@pytest.mark.parametrize(
    "text",
    ["bist du eine KI?", "Bist du KI oder Mensch", "kim sorumlu?", "Kim bu?", "ki in Essen"],
)
def test_abbreviations_that_are_ordinary_words_are_not_offices(gazetteer, text):
    """German "KI" (AI) without a place, Turkish "kim" (who), lowercase "ki" (that)."""
    assert offices_in(gazetteer, text) == []


@pytest.mark.parametrize(
    "text,office",
    [
        ("gde nahoditsya dzhobcentr v essene", "jobcenter"),
        ("edare kar dar bochum kojast", "employment_agency"),
        ("wein maktab el 3amal fi essen", "employment_agency"),
        ("adres otdela po delam inostrancev", "immigration_office"),
        ("edare mohajerat dortmund", "immigration_office"),
    ],
)
def test_latin_transliterations(gazetteer, text, office):
    """Arabizi, Finglish and transliterated Russian name the office too."""
    assert offices_in(gazetteer, text) == [office]


def offices_in(gazetteer: Gazetteer, text: str) -> list[str]:
    return [m.value for m in gazetteer.find(text) if m.entity == "office_type"]


@pytest.mark.parametrize(
    "text,office",
    [
        ("on m'a parlé de l'Integration Point à Oberhausen", "integration_point"),
        ("l’Integration Point d’Essen", "integration_point"),
        ("le centre communal d'intégration de Hagen", "integration_center"),
    ],
)
def test_french_elisions_do_not_hide_an_office(gazetteer, text, office):
    assert office in {m.value for m in gazetteer.find(text) if m.entity == "office_type"}


@pytest.mark.parametrize("text", ["أنا عايش بألمانيا من سنتين", "انا في المانيا"])
def test_the_country_germany_is_not_the_language_german(gazetteer, text):
    assert not [m for m in gazetteer.find(text) if m.entity == "language"]


@pytest.mark.parametrize(
    "text,office",
    [
        ("Wo beantrage ich Bürgergeld in Bochum?", "jobcenter"),
        ("where do I apply for citizen's income", "jobcenter"),
        ("куда подавать на бюргергельд", "jobcenter"),
        ("Arbeitslosengeld 1 beantragen", "employment_agency"),
        ("Arbeitslosengeld 2 beantragen", "jobcenter"),  # the longer task wins
        ("who extends residence permits in Herne", "immigration_office"),
        ("де продовжити посвідку на проживання", "immigration_office"),
        ("продление вида на жительство", "immigration_office"),
        ("تمديد إقامة في إيسن", "immigration_office"),
        ("oturum izni uzatma Hagen", "immigration_office"),
        ("renouvellement titre de séjour", "immigration_office"),
        ("признание диплома в Бохуме", "recognition_counselling"),
        ("diploma denkliği için nereye", "recognition_counselling"),
    ],
)
def test_tasks_point_to_their_office(gazetteer, text, office):
    found = [m for m in gazetteer.find(text) if m.entity in ("office_task", "office_type")]
    assert [(m.entity, m.value) for m in found] == [("office_task", office)]


@pytest.mark.parametrize(
    "text",
    [
        "Anerkennungsberatung Bochum",  # listed as a task too: the office's name wins
        "Bürgergeld-Amt Essen",  # an office name containing a task
    ],
)
def test_an_office_name_is_never_read_as_a_task(gazetteer, text):
    found = [m.entity for m in gazetteer.find(text) if m.entity in ("office_task", "office_type")]
    assert found == ["office_type"]


@pytest.mark.parametrize(
    "text",
    [
        "ich möchte eine Arbeitserlaubnis",  # work permits are a topic of their own
        "my place of residence is Essen",
        "مكان الإقامة",
        "ich habe Kindergeld beantragt",
        "I eat at home",
    ],
)
def test_no_task_in_other_matters(gazetteer, text):
    assert not [m for m in gazetteer.find(text) if m.entity == "office_task"]


@pytest.mark.parametrize(
    "text,office",
    [
        ("wo melde ich mich arbeitslos in Bottrop", "employment_agency"),
        ("which office do i go to register as unemployed", "employment_agency"),
        ("joint office for refugees in Bochum", "integration_point"),
        ("is there a city integration service in Essen", "integration_center"),
        ("counselling for young migrants in Hagen", "youth_migration_service"),
        ("Beratung für erwachsene Migranten in Herne", "migration_counselling"),
        ("Göçmen danışma yeri Hagen", "migration_counselling"),
    ],
)
def test_descriptions_of_an_office_are_its_tasks(gazetteer, text, office):
    found = [(m.entity, m.value) for m in gazetteer.find(text) if m.entity == "office_task"]
    assert found == [("office_task", office)]


@pytest.mark.parametrize(
    "text,city",
    [
        ("wo gibts die IQ Beratung in Esen", "Essen"),  # task + typo
        ("auslanderamt Hagn rdv comment on fait", "Hagen"),
        ("mon job centre a Bochun il ouvre le samedi??", "Bochum"),
        ("numero agence d'emploi Bottrob svp", "Bottrop"),
        ("جوبسنتر هيرني رقمه شنو", "Herne"),
        ("بدي روح عالأجنتور بهاكن", "Hagen"),
        ("adresse JC Esen stp", "Essen"),  # the abbreviation needs the place, and back
    ],
)
def test_a_misspelt_city_next_to_an_office(gazetteer, text, city):
    found = gazetteer.find(text)
    assert [m.value for m in found if m.entity == "city"] == [city]
    assert [m for m in found if m.entity in ("office_type", "office_task")]


@pytest.mark.parametrize("text", ["ich wohne in Hagn", "Esen ist lecker", "Hafen Jobcenter Essen"])
def test_no_misspelt_city_without_an_office_or_beside_a_real_one(gazetteer, text):
    cities = [m.value for m in gazetteer.find(text) if m.entity == "city"]
    assert cities in ([], ["Essen"])


@pytest.mark.parametrize(
    "text,city",
    [
        ("wo is dat JC in GE?", "Gelsenkirchen"),
        ("Agentur f. Arbeit in DO wo???", "Dortmund"),
        ("Where is the ABH in GE??", "Gelsenkirchen"),
    ],
)
def test_number_plate_codes_next_to_an_office(gazetteer, text, city):
    assert [m.value for m in gazetteer.find(text) if m.entity == "city"] == [city]


@pytest.mark.parametrize(
    "text",
    [
        "WHERE DO I FIND THE JOBCENTER",  # typed in capitals: every word looks like a code
        "DO you know a good doctor",  # no office
        "GE ist gut",
    ],
)
def test_no_number_plate_code_without_an_office_or_in_capitals(gazetteer, text):
    assert not [m for m in gazetteer.find(text) if m.entity == "city"]


@pytest.mark.parametrize(
    "text,city",
    [
        ("у вуппертальському інтеграційному центрі", "Wuppertal"),
        ("в эссенском джобцентре", "Essen"),
        ("коли працює джобцентр в Гельзі", "Gelsenkirchen"),
        ("wo is dat JC in Gelsen?", "Gelsenkirchen"),
        ("jmd in wtal adresse bitte", "Wuppertal"),
    ],
)
def test_city_adjectives_and_short_forms(gazetteer, text, city):
    assert [m.value for m in gazetteer.find(text) if m.entity == "city"] == [city]


@pytest.mark.parametrize("text", ["لایسنس رانندگی میخوام", "لائسنس"])
def test_the_dari_word_for_licence_is_no_city(gazetteer, text):
    assert not [m for m in gazetteer.find(text) if m.entity == "city"]


@pytest.mark.parametrize(
    "text,office",
    [
        ("wo melden sich Arbeitslose in Hagen an?", "employment_agency"),
        ("where do unemployed people register in Essen", "employment_agency"),
        ("où s'inscrivent les chômeurs à Herne ?", "employment_agency"),
        ("Bochum'da işsizler nereye kayıt oluyor", "employment_agency"),
        ("де стати на облік безробітним у Бохумі", "employment_agency"),
        ("где регистрируются безработные в Дортмунде", "employment_agency"),
        ("وين يسجل العاطلين بدورتموند", "employment_agency"),
        ("بیکاران کجا ثبت نام میکنن در اسن", "employment_agency"),
        ("who gives social assistance to unemployed people in Hagen", "jobcenter"),
        ("соціальна допомога для безробітних в Ессені", "jobcenter"),
        ("who recognises foreign diplomas in Herne", "recognition_counselling"),
        ("Anerkennung meines Abschlusses in Bochum", "recognition_counselling"),
        ("признание диплома в Хагене", "recognition_counselling"),
        ("Essen belediyesinin uyum merkezi nerede", "integration_center"),
        ("міська служба з інтеграції в Гагені", "integration_center"),
        ("Hilfe für Jugendliche bei der Ausbildung in Dortmund", "youth_employment_agency"),
        ("who helps young migrants in Bochum", "youth_migration_service"),
        # more specific beats less: young migrants + counselling is not the adults' MBE
        ("Beratung für junge Menschen und Migranten in Essen", "youth_migration_service"),
        ("conseil pour les migrants à Duisburg", "migration_counselling"),
    ],
)
def test_an_office_described_by_what_it_does(gazetteer, text, office):
    found = gazetteer.find(text)
    assert [m.value for m in found if m.entity in ("office_type", "office_task")] == [office]
    assert all(m.entity != "office_concept" for m in found)


@pytest.mark.parametrize(
    "text",
    [
        "I am unemployed",  # one concept names no office
        "my diploma",
        "how do I integrate",
        # two offices' descriptions, neither more specific: no guess
        "the jobless: sign up here or get welfare there?",
    ],
)
def test_a_description_needs_one_full_combination(gazetteer, text):
    assert [m for m in gazetteer.find(text) if m.entity in ("office_type", "office_task")] == []


def test_a_named_office_wins_over_a_description(gazetteer):
    found = gazetteer.find("Integration Point Essen: Anerkennung meines Diploms?")
    assert [(m.entity, m.value) for m in found if m.entity.startswith("office")] == [
        ("office_type", "integration_point")
    ]


def test_description_data_is_complete():
    import yaml

    from bot.languages import SUPPORTED

    data = yaml.safe_load((DATA_DIR / "gazetteer" / "office_descriptions.yml").read_text())
    offices = yaml.safe_load((DATA_DIR / "gazetteer" / "office_types.yml").read_text())
    for concept, forms in data["concepts"].items():
        assert set(forms) == set(SUPPORTED), concept
    for office, combinations in data["descriptions"].items():
        assert office in offices["office_types"]
        for combination in combinations:
            assert len(combination) >= 2, (office, combination)
            assert set(combination) <= set(data["concepts"]), (office, combination)
