"""The office directory validator names the record and field of every problem."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys

import pytest
import yaml

from bot.offices import load_directory
from bot.offices.coverage import gaps
from bot.offices.validation import DirectoryError, validate_files
from bot.paths import DATA_DIR, PROJECT_ROOT


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "offices"
    shutil.copytree(DATA_DIR / "offices", target)
    return target


def edit(directory, filename, index, **changes):
    path = directory / filename
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["offices"][index].update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return data["offices"][index]["id"]


def test_shipped_directory_is_valid_and_every_record_has_a_source():
    assert validate_files(DATA_DIR / "offices") == []
    directory = load_directory()
    assert len(directory.offices) > 100
    assert all(o.source_url.startswith("http") for o in directory.offices)
    assert len(directory.cities) == 12


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("phone", "call us maybe", "is not a phone number"),
        ("website", "www.example", "is not an http(s) URL"),
        ("email", "nobody-at-example", "is not an e-mail address"),
        ("office_type", "embassy", "office_type 'embassy'"),
        ("source_url", "", "missing required field 'source_url'"),
        ("address", {"street": "Berliner Platz 10", "postcode": "44135"}, "belongs to Dortmund"),
        ("serves", ["Berlin"], "serves unknown city 'Berlin'"),
    ],
)
def test_problems_name_record_and_field(copy, field, value, message):
    rid = edit(copy, "essen.yml", 0, **{field: value})
    problems = validate_files(copy)
    assert any(rid in p and message in p for p in problems), problems
    with pytest.raises(DirectoryError):
        load_directory(copy)


def test_a_finder_without_its_search_page_is_refused(copy):
    data = yaml.safe_load((copy / "national.yml").read_text(encoding="utf-8"))
    index = next(
        i for i, r in enumerate(data["offices"]) if r["id"] == "de-bamf-navi-auslaenderbehoerden"
    )
    edit(copy, "national.yml", index, website=None)
    problems = validate_files(copy)
    assert any(
        "de-bamf-navi-auslaenderbehoerden" in p and "national_finder needs a website" in p
        for p in problems
    ), problems


def test_duplicate_ids_are_found(copy):
    first = yaml.safe_load((copy / "essen.yml").read_text(encoding="utf-8"))["offices"][0]["id"]
    edit(copy, "bochum.yml", 0, id=first)
    assert any("duplicate id" in p and first in p for p in validate_files(copy))


def test_validate_command_exit_codes(copy):
    ok = subprocess.run(
        [sys.executable, "-m", "bot.offices", "validate"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    edit(copy, "essen.yml", 0, phone="abc")
    bad = subprocess.run(
        [sys.executable, "-m", "bot.offices", "validate", "--dir", str(copy)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "is not a phone number" in bad.stderr


def test_report_lists_coverage_and_gaps():
    out = subprocess.run(
        [sys.executable, "-m", "bot.offices", "report"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Mülheim an der Ruhr" in out and "no " in out


def test_finders_are_not_reported_for_lacking_phone_or_hours():
    directory = load_directory()
    listed = {g.office.id: g for g in gaps(directory, dt.date(2026, 12, 5))}
    finder = listed["de-bamf-navi-auslaenderbehoerden"]  # listed: nobody here re-checked it
    assert finder.missing == [] and finder.old  # but not for lacking phone or hours
    local = directory.find("Essen", "immigration_office")[0]
    assert "phone" in listed[local.id].missing  # ordinary records still are
