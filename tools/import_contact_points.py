"""One-off importer: shared contact-points.yml -> data/offices/*.yml (our schema).

Kept in the repository so the provenance of data/offices/ is reproducible: every
fact and its source come from the research file; nothing is added. Staff edit
data/offices/*.yml directly afterwards (see README, "Updating the office directory").

    python tools/import_contact_points.py ../shared/data/contact-points.yml
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import yaml

KIND_TO_TYPE = {
    "jobcenter": "jobcenter",
    "agentur_fuer_arbeit": "employment_agency",
    "integration_point": "integration_point",
    "kommunales_integrationszentrum": "integration_center",
    "kommunales_integrationsmanagement": "integration_center",
    "auslaenderbehoerde": "immigration_office",
    "jugendberufsagentur": "youth_employment_agency",
    "mbe": "migration_counselling",
    "jmd": "youth_migration_service",
    "anerkennungsberatung_ihk": "recognition_counselling",
    "anerkennungsberatung_hwk": "recognition_counselling",
    "anerkennungsberatung_other": "recognition_counselling",
    "local_specialty": "local_specialty",
    "national_hotline": "national_hotline",
    "national_portal": "national_portal",
}
OUT = Path(__file__).resolve().parent.parent / "data" / "offices"


def slug(city: str) -> str:
    """File name for a city: ascii, lowercase, hyphens."""
    ascii_ = unicodedata.normalize("NFKD", city.replace("ü", "ue")).encode("ascii", "ignore")
    return re.sub(r"[^a-z]+", "-", ascii_.decode().lower()).strip("-")


def _emails(value: str) -> str | list[str] | None:
    parts = [p.strip() for p in value.split(";") if p.strip()]
    return parts[0] if len(parts) == 1 else (parts or None)


def convert(record: dict, compiled: str) -> dict:
    """Map one research record to our schema, dropping empty fields."""
    cities = record["city"] if isinstance(record["city"], list) else [record["city"]]
    address = {k: v for k, v in (record.get("address") or {}).items() if v}
    out = {
        "id": record["id"],
        "office_type": KIND_TO_TYPE[record["kind"]],
        "source_kind": record["kind"],
        "name": record["name"],
        "serves": cities,
        "address": address or None,
        # Unify dashes only; digits stay as the source printed them.
        "phone": (record.get("phone") or "").replace("–", "-").replace("  ", " ") or None,
        "email": _emails(record.get("email") or ""),
        "website": record.get("website") or None,
        "opening_hours": record.get("opening_hours") or None,
        "languages": record.get("languages") or None,
        "notes": record.get("notes") or None,
        "status": record["status"],
        "source_url": record["source_url"],
        "source_date": str(record["source_date"]) if record.get("source_date") else None,
        "additional_sources": record.get("additional_sources") or None,
        "confidence": record["confidence"],
        # The research file was compiled then; nobody at Wegweiser has re-checked it yet.
        "last_verified": compiled,
    }
    return {k: v for k, v in out.items() if v is not None}


def main(path: str) -> None:
    """Write one file per city, one for national/NRW services, and postcodes.yml."""
    with open(path, encoding="utf-8") as handle:
        research = yaml.safe_load(handle)
    compiled = str(research.get("compiled", ""))
    groups: dict[str, list[dict]] = {}
    for record in research["records"]:
        city = record["city"][0] if isinstance(record["city"], list) else record["city"]
        key = "national" if city in ("national", "NRW") else slug(city)
        groups.setdefault(key, []).append(convert(record, compiled))
    header = (
        "# Office directory: {title}. Imported from the Wegweiser research file\n"
        "# (shared/data/contact-points.yml); every record names its source.\n"
        '# Schema and editing rules: README, "Updating the office directory".\n'
    )
    for key, records in groups.items():
        title = "nationwide and NRW-wide services" if key == "national" else records[0]["serves"][0]
        doc = {"offices": records}
        text = header.format(title=title) + yaml.safe_dump(
            doc, allow_unicode=True, sort_keys=False, width=110
        )
        (OUT / f"{key}.yml").write_text(text, encoding="utf-8")
    postal = research["postal_codes"]
    doc = {
        "source_url": postal["source_url"],
        "source_date": str(postal["source_date"]),
        "confidence": postal["confidence"],
        "method": postal["method"],
        "caveats": postal["caveats"],
        "cities": {c["city"]: [str(p) for p in c["plz"]] for c in postal["cities"]},
    }
    (OUT / "postcodes.yml").write_text(
        "# Delivery postcodes per city (PO-box postcodes are not included).\n"
        + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=110),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main(sys.argv[1])
