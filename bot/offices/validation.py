"""Schema checks for data/offices/*.yml, with messages that name record and field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.offices.provenance import TABLE_FILES, kind_of, load_source_kinds, validate_tables

OFFICE_TYPES = frozenset(
    {
        "jobcenter",
        "employment_agency",
        "integration_point",
        "integration_center",
        "immigration_office",
        "youth_employment_agency",
        "migration_counselling",
        "youth_migration_service",
        "recognition_counselling",
        "local_specialty",
        "national_hotline",
        "national_portal",
        "national_finder",
    }
)
# Nationwide services: hotlines, portals and official finders of local offices.
NATIONAL_TYPES = frozenset({"national_hotline", "national_portal", "national_finder"})
STATUSES = frozenset({"as_stated", "possibly_outdated", "superseded"})
CONFIDENCES = frozenset({"high", "medium", "low"})
REQUIRED = (
    "id",
    "office_type",
    "name",
    "serves",
    "status",
    "source_url",
    "confidence",
    "last_verified",
)
ALLOWED = frozenset(REQUIRED) | {
    "source_kind",
    "address",
    "phone",
    "email",
    "website",
    "opening_hours",
    "languages",
    "notes",
    "source_date",
    "additional_sources",
}
PHONE = re.compile(r"^\+?\(?\d[\d /()\-]{1,30}\d$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
NATIONAL = ("national", "NRW")


class DirectoryError(ValueError):
    """The office directory has problems; ``problems`` lists them all."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("office directory invalid:\n  " + "\n  ".join(problems))
        self.problems = problems


def _load(path: Path, problems: list[str]) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as error:
        problems.append(f"{path.name}: not valid YAML ({error})")
        return None


def validate_record(
    record: Any,
    where: str,
    postcodes: dict[str, str],
    source_kinds: dict[str, str] | None = None,
) -> list[str]:
    """Problems of one office record; ``postcodes`` maps postcode -> city.

    With ``source_kinds`` (host -> kind), every source host must be classified.
    """
    if not isinstance(record, dict):
        return [f"{where}: record is not a mapping"]
    rid = record.get("id", "?")
    at = f"{where} record {rid!r}"
    problems = [f"{at}: missing required field {f!r}" for f in REQUIRED if not record.get(f)]
    problems += [f"{at}: unknown field {f!r}" for f in record if f not in ALLOWED]
    if record.get("id") and not ID.match(str(record["id"])):
        problems.append(f"{at}: id must be lowercase letters, digits and hyphens")
    if record.get("office_type") and record["office_type"] not in OFFICE_TYPES:
        problems.append(
            f"{at}: office_type {record['office_type']!r} is not one of {sorted(OFFICE_TYPES)}"
        )
    if record.get("status") and record["status"] not in STATUSES:
        problems.append(f"{at}: status {record['status']!r} is not one of {sorted(STATUSES)}")
    if record.get("confidence") and record["confidence"] not in CONFIDENCES:
        problems.append(f"{at}: confidence {record['confidence']!r} is not high/medium/low")
    if record.get("phone") and not PHONE.match(str(record["phone"])):
        problems.append(f"{at}: phone {record['phone']!r} is not a phone number")
    emails = record.get("email") or []
    for email in [emails] if isinstance(emails, str) else emails:
        if not EMAIL.match(str(email)):
            problems.append(f"{at}: email {email!r} is not an e-mail address")
    for key in ("website", "source_url"):
        if record.get(key) and not URL.match(str(record[key])):
            problems.append(f"{at}: {key} {record[key]!r} is not an http(s) URL")
    for url in record.get("additional_sources") or []:
        if not URL.match(str(url)):
            problems.append(f"{at}: additional source {url!r} is not an http(s) URL")
    if source_kinds is not None:
        # Cards rank sources by kind, so an unclassified source would rank by accident.
        for url in [record.get("source_url"), *(record.get("additional_sources") or [])]:
            if url and URL.match(str(url)) and kind_of(str(url), source_kinds) is None:
                problems.append(
                    f"{at}: source {url!r}: its host is not in source_kinds.yml "
                    "(classify it as official, other or press)"
                )
    for key in ("source_date", "last_verified"):
        if record.get(key) and not DATE.match(str(record[key])):
            problems.append(f"{at}: {key} {record[key]!r} must be YYYY, YYYY-MM or YYYY-MM-DD")
    if record.get("office_type") == "national_finder" and not record.get("website"):
        # A finder is only its search page; without one the card would be empty.
        problems.append(f"{at}: a national_finder needs a website (the search page)")
    serves = record.get("serves") or []
    known = set(postcodes.values())
    for city in serves:
        if city not in known and city not in NATIONAL:
            problems.append(f"{at}: serves unknown city {city!r}")
    postcode = (record.get("address") or {}).get("postcode")
    if postcode:
        city = postcodes.get(str(postcode))
        if not re.fullmatch(r"\d{5}", str(postcode)):
            problems.append(f"{at}: postcode {postcode!r} must have 5 digits")
        elif city is not None and city not in serves:
            problems.append(f"{at}: postcode {postcode} belongs to {city}, not to {serves}")
    return problems


def validate_files(directory: Path) -> list[str]:
    """All problems in the directory's files (empty list = valid)."""
    problems: list[str] = []
    postal = _load(directory / "postcodes.yml", problems) or {}
    postcodes: dict[str, str] = {}
    for city, codes in (postal.get("cities") or {}).items():
        for code in codes:
            if code in postcodes:
                problems.append(f"postcodes.yml: {code} listed for {postcodes[code]} and {city}")
            postcodes[str(code)] = city
    if not postal.get("source_url"):
        problems.append("postcodes.yml: missing source_url")
    problems += validate_tables(directory, set(postcodes.values()))
    kinds = load_source_kinds(directory)
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        if path.stem in TABLE_FILES:
            continue
        data = _load(path, problems)
        if not isinstance(data, dict) or not isinstance(data.get("offices"), list):
            problems.append(f"{path.name}: expected a top-level 'offices:' list")
            continue
        for record in data["offices"]:
            problems += validate_record(record, path.name, postcodes, kinds)
            rid = record.get("id") if isinstance(record, dict) else None
            if rid in seen:
                problems.append(f"{path.name} record {rid!r}: duplicate id (also in {seen[rid]})")
            elif rid:
                seen[rid] = path.name
    fallbacks = (_load(directory / "fallbacks.yml", problems) or {}).get("fallbacks") or {}
    for office_type, ids in fallbacks.items():
        problems += [
            f"fallbacks.yml: {office_type} names unknown record {i!r}" for i in ids if i not in seen
        ]
    return problems
