"""The decision table (data/guidance/rules.yml), row by row."""

from __future__ import annotations

import pytest

from bot.guidance.rules import QUESTIONS, SKIPPED, decide, load_table, needed_questions

JBA, IP = "youth_employment_agency", "integration_point"
ALL = (JBA, IP)

# (answers, office types in the city, primary rule, secondary rules, notes)
PRIMARY = [
    ({"goal": "recognition"}, ALL, "recognition", ["recognition-portal"], []),
    (
        {"goal": "work_permit", "situation": "eu_citizen", "receives_buergergeld": "yes"},
        ALL,
        "work-permit-eu-buergergeld",
        [],
        ["utter_guidance_note_eu_free_movement"],
    ),
    (
        {"goal": "work_permit", "situation": "eu_citizen", "receives_buergergeld": "no"},
        ALL,
        "work-permit-eu",
        [],
        ["utter_guidance_note_eu_free_movement"],
    ),
    (
        {"goal": "work_permit", "situation": "eu_citizen", "receives_buergergeld": "unknown"},
        ALL,
        "work-permit-eu-unknown",
        ["jobcenter-if-buergergeld-eu"],
        ["utter_guidance_note_eu_free_movement"],
    ),
    (
        {"goal": "work_permit", "situation": "duldung", "age_group": "25_plus"},
        ALL,
        "work-permit",
        [],
        [],
    ),
    (
        {"goal": "apprenticeship", "age_group": "under_25", "situation": "duldung"},
        ALL,
        "apprenticeship-under-25",
        ["permission-before-work", "integration-point"],
        [],
    ),
    (
        {"goal": "job", "age_group": "25_plus", "situation": "asylum_procedure"},
        ALL,
        "asylum-or-duldung-work",
        ["permission-before-work", "integration-point"],
        [],
    ),
    (
        {"goal": "apprenticeship", "age_group": "under_25", "situation": "eu_citizen"},
        (),
        "apprenticeship",
        [],
        [],
    ),
    (
        {"goal": "job", "situation": "recognised_protection", "receives_buergergeld": "yes"},
        (),
        "job-buergergeld",
        [],
        [],
    ),
    (
        {"goal": "job", "situation": "other_residence_title", "receives_buergergeld": "no"},
        (),
        "job-no-buergergeld",
        [],
        [],
    ),
    (
        {"goal": "job", "situation": "eu_citizen", "receives_buergergeld": "unknown"},
        (),
        "job-buergergeld-unknown",
        ["jobcenter-if-buergergeld"],
        [],
    ),
    (
        {
            "goal": "german_course",
            "situation": "recognised_protection",
            "receives_buergergeld": "yes",
        },
        (),
        "course-buergergeld",
        ["course-entitlement"],
        [],
    ),
    (
        {"goal": "german_course", "age_group": "under_25", "situation": "duldung"},
        (),
        "course-under-25",
        [],
        ["utter_guidance_note_course_depends"],
    ),
    (
        {"goal": "german_course", "age_group": "25_plus", "situation": "asylum_procedure"},
        (),
        "course",
        [],
        ["utter_guidance_note_course_depends"],
    ),
]

SECONDARY = [
    ({"goal": "job", "situation": "duldung", "age_group": "25_plus"}, (), "permission-before-work"),
    (
        {"goal": "job", "age_group": "under_25", "situation": "other_residence_title"},
        (JBA,),
        "youth-employment-agency",
    ),
    ({"goal": "job", "situation": "recognised_protection"}, (IP,), "integration-point"),
    ({"goal": "german_course", "situation": "eu_citizen"}, (), "jobcenter-if-buergergeld"),
    (
        {"goal": "work_permit", "situation": "eu_citizen", "receives_buergergeld": "unknown"},
        (),
        "jobcenter-if-buergergeld-eu",
    ),
    (
        {
            "goal": "apprenticeship",
            "situation": "recognised_protection",
            "receives_buergergeld": "yes",
        },
        (),
        "apprenticeship-jobcenter",
    ),
    (
        {"goal": "work_permit", "situation": "recognised_protection", "age_group": "under_25"},
        (),
        "work-permit-counselling-under-25",
    ),
    (
        {"goal": "work_permit", "situation": "other_residence_title", "age_group": "25_plus"},
        (),
        "work-permit-counselling",
    ),
    ({"goal": "german_course", "situation": "other_residence_title"}, (), "course-entitlement"),
    ({"goal": "recognition"}, (), "recognition-portal"),
]

NOTES = [
    ({"goal": "work_permit", "situation": "eu_citizen"}, "utter_guidance_note_eu_free_movement"),
    ({"goal": "german_course", "situation": "eu_citizen"}, "utter_guidance_note_course_depends"),
    (
        {"goal": "job", "situation": "temporary_protection_ukraine"},
        "utter_guidance_note_ukraine_2025",
    ),
]


@pytest.mark.parametrize(("answers", "types", "primary", "secondary", "notes"), PRIMARY)
def test_primary_rows(answers, types, primary, secondary, notes):
    decision = decide(answers, types)
    assert decision.primary.rule == primary
    assert [p.rule for p in decision.secondary] == secondary
    assert list(decision.notes) == notes


@pytest.mark.parametrize(("answers", "types", "rule"), SECONDARY)
def test_secondary_rows(answers, types, rule):
    assert rule in [p.rule for p in decide(answers, types).secondary]


@pytest.mark.parametrize(("answers", "note"), NOTES)
def test_note_rows(answers, note):
    assert note in decide(answers).notes


def test_every_row_has_a_test():
    table = load_table()
    assert {r["id"] for r in table.primary} == {case[2] for case in PRIMARY}
    assert {r["id"] for r in table.secondary} == {case[2] for case in SECONDARY}
    assert {r["say"] for r in table.notes} == {case[1] for case in NOTES}


def test_the_example_of_the_issue():
    decision = decide({"goal": "job", "receives_buergergeld": "yes"}, ())
    assert decision.primary.office_type == "jobcenter"
    assert decision.primary.reason == "utter_guidance_reason_job_buergergeld"


def test_at_most_two_secondary_and_never_the_primary_type():
    table = load_table()
    for goal in table.questions["goal"]:
        for situation in table.questions["situation"]:
            for age in table.questions["age_group"]:
                for money in table.questions["receives_buergergeld"]:
                    answers = {
                        "goal": goal,
                        "situation": situation,
                        "age_group": age,
                        "receives_buergergeld": money,
                    }
                    decision = decide(answers, ALL)
                    assert len(decision.secondary) <= 2
                    types = [p.office_type for p in decision.secondary if p.office_type]
                    assert decision.primary.office_type not in types
                    assert len(types) == len(set(types))


def test_skipped_answers_take_the_assumed_value():
    skipped = decide({"goal": SKIPPED, "receives_buergergeld": SKIPPED})
    assert skipped.primary.rule == "job-buergergeld-unknown"
    course = decide({"goal": "german_course", "age_group": SKIPPED})
    assert course.primary.rule == "course"  # assumed 25 or older: adult counselling


def test_only_questions_that_matter_are_asked():
    # Recognition counselling does not depend on age, status or Bürgergeld.
    assert needed_questions({"goal": "recognition"}, ALL) == []
    # With a Duldung there is no Bürgergeld (AsylbLG), so it is not asked.
    assert "receives_buergergeld" not in needed_questions(
        {"goal": "job", "situation": "duldung"}, ALL
    )
    # Age matters for a job only where the city has a youth employment agency.
    assert "age_group" in needed_questions({"goal": "job"}, (JBA,))
    assert "age_group" not in needed_questions({"goal": "job"}, ())
    # Nothing known: every question may matter, in the table's order.
    assert needed_questions({}, ALL) == list(QUESTIONS)


def test_table_rejects_unknown_values(tmp_path):
    bad = tmp_path / "rules.yml"
    text = (load_table.__wrapped__.__defaults__[0]).read_text(encoding="utf-8")
    bad.write_text(text.replace("{goal: recognition}", "{goal: recogniton}", 1), encoding="utf-8")
    with pytest.raises(ValueError, match="recogniton"):
        load_table.__wrapped__(bad)
