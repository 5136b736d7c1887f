"""Load data/offices/*.yml and answer "which office of type T serves city C?"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.offices.provenance import (
    TABLE_FILES,
    AreaCode,
    Source,
    load_area_codes,
    load_source_kinds,
    ranked_sources,
)
from bot.paths import DATA_DIR

OFFICES_DIR = DATA_DIR / "offices"
CONFIDENCE_RANK = {"high": 0, "medium": 1, "low": 2}
STATUS_RANK = {"as_stated": 0, "possibly_outdated": 1}
SHOWN_STATUSES = frozenset(STATUS_RANK)
NATIONAL = ("national", "NRW")


@dataclass(frozen=True)
class Office:
    """One contact point as stated by its source."""

    id: str
    office_type: str
    name: str
    serves: tuple[str, ...]
    status: str
    source_url: str
    confidence: str
    last_verified: str
    address: dict[str, str] = field(default_factory=dict)
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    opening_hours: str | None = None
    source_date: str | None = None
    #: Main and additional sources, official first, the press last (provenance.py).
    sources: tuple[Source, ...] = ()
    #: The area code of the office's city, to explain a number printed without one.
    area_code: AreaCode | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_record(
        cls,
        record: dict[str, Any],
        source_kinds: Mapping[str, str] | None = None,
        area_codes: Mapping[str, AreaCode] | None = None,
    ) -> Office:
        """Build from a YAML record (validated separately, see validation.py).

        ``source_kinds`` (host -> kind) ranks the sources; ``area_codes`` (city -> code)
        gives the area code of the city the office is in.
        """
        address = dict(record.get("address") or {})
        serves = tuple(record.get("serves") or ())
        codes = area_codes or {}
        city = address.get("city") if address.get("city") in codes else None
        if city is None and len(serves) == 1:
            city = serves[0]
        return cls(
            id=record["id"],
            office_type=record["office_type"],
            name=record["name"],
            serves=serves,
            status=record["status"],
            source_url=record["source_url"],
            confidence=record["confidence"],
            last_verified=str(record.get("last_verified", "")),
            address=address,
            phone=record.get("phone"),
            email=record.get("email"),
            website=record.get("website"),
            opening_hours=record.get("opening_hours"),
            source_date=str(record["source_date"]) if record.get("source_date") else None,
            sources=ranked_sources(record, source_kinds or {}),
            area_code=codes.get(city) if city else None,
            raw=record,
        )

    @property
    def shown(self) -> bool:
        """Superseded records are history only and never shown to users."""
        return self.status in SHOWN_STATUSES

    @property
    def outdated(self) -> bool:
        """Shown with a "please check before you go" note."""
        return self.status == "possibly_outdated"

    @property
    def press_only(self) -> bool:
        """Known only from press coverage: the card says "please check before you go"."""
        return bool(self.sources) and all(s.kind == "press" for s in self.sources)

    @property
    def unofficial_only(self) -> bool:
        """No source is the office itself or an authority: also "please check before you go"."""
        return bool(self.sources) and all(s.kind != "official" for s in self.sources)

    @property
    def is_national(self) -> bool:
        """A nationwide or NRW-wide service rather than a local office."""
        return any(city in NATIONAL for city in self.serves)


@dataclass(frozen=True)
class Directory:
    """All offices plus the postcode table."""

    offices: tuple[Office, ...]
    postcodes: dict[str, str]  # postcode -> city
    fallbacks: dict[str, tuple[str, ...]]  # office type -> national office ids
    postcode_source: dict[str, Any]

    @property
    def cities(self) -> list[str]:
        """The cities the directory covers, in the postcode file's order."""
        return list(dict.fromkeys(self.postcodes.values()))

    def by_id(self, office_id: str) -> Office | None:
        """The office with this id, if any."""
        return next((o for o in self.offices if o.id == office_id), None)

    def city_for_postcode(self, postcode: str) -> str | None:
        """The covered city a delivery postcode belongs to, else ``None``."""
        return self.postcodes.get(postcode.strip())

    def find(self, city: str, office_type: str) -> list[Office]:
        """Shown offices of ``office_type`` serving ``city``, best-sourced first."""
        found = [
            o for o in self.offices if o.shown and o.office_type == office_type and city in o.serves
        ]
        return sorted(found, key=_rank)

    def types_in(self, city: str) -> list[str]:
        """Office types with at least one shown office in ``city``."""
        return list(
            dict.fromkeys(o.office_type for o in self.offices if o.shown and city in o.serves)
        )

    def national_for(self, office_type: str | None) -> list[Office]:
        """Nationwide services to offer when no local office is known."""
        ids = self.fallbacks.get(office_type or "", ()) or self.fallbacks.get("default", ())
        return [o for o in (self.by_id(i) for i in ids) if o is not None and o.shown]


def _rank(office: Office) -> tuple[int, int, int]:
    contact_fields = sum(
        bool(x)
        for x in (office.phone, office.address, office.website, office.email, office.opening_hours)
    )
    return (
        STATUS_RANK.get(office.status, 9),
        CONFIDENCE_RANK.get(office.confidence, 9),
        -contact_fields,
    )


def read_yaml(path: Path) -> Any:
    """Parse one YAML file."""
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def office_files(directory: Path = OFFICES_DIR) -> Iterable[Path]:
    """The files holding office records (everything but the tables, see TABLE_FILES)."""
    return sorted(p for p in directory.glob("*.yml") if p.stem not in TABLE_FILES)


def load_directory(directory: Path = OFFICES_DIR, validate: bool = True) -> Directory:
    """Read the directory; raises ``DirectoryError`` listing every problem when invalid."""
    from bot.offices.validation import DirectoryError, validate_files

    if validate:
        problems = validate_files(directory)
        if problems:
            raise DirectoryError(problems)
    kinds = load_source_kinds(directory)
    area_codes = load_area_codes(directory)
    offices = tuple(
        Office.from_record(r, kinds, area_codes)
        for path in office_files(directory)
        for r in read_yaml(path)["offices"]
    )
    postal = read_yaml(directory / "postcodes.yml")
    postcodes = {code: city for city, codes in postal["cities"].items() for code in codes}
    fallbacks = {
        k: tuple(v) for k, v in read_yaml(directory / "fallbacks.yml")["fallbacks"].items()
    }
    return Directory(
        offices,
        postcodes,
        fallbacks,
        {k: postal[k] for k in ("source_url", "source_date", "confidence")},
    )


@lru_cache(maxsize=1)
def _cached(directory: str, stamp: float) -> Directory:
    return load_directory(Path(directory))


def current_directory(directory: Path = OFFICES_DIR) -> Directory:
    """The directory, re-read when any file changed (staff edit and it is live)."""
    stamp = max(p.stat().st_mtime for p in directory.glob("*.yml"))
    return _cached(str(directory), stamp)
