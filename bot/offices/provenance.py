"""Where a record's facts come from, and which of its phone numbers can be dialled.

Three small, separately sourced tables feed the cards:

* ``data/offices/source_kinds.yml`` – the kind of each source host (official, other,
  press): a card lists official sources first and marks a record known only from the press;
* ``data/offices/area_codes.yml`` – the area code of each city's local network
  (Bundesnetzagentur), to explain a number printed without one;
* :func:`international_number` – which printed numbers dial as they stand (only those
  get a ``tel:`` link).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

SOURCE_KINDS_FILE = "source_kinds.yml"
AREA_CODES_FILE = "area_codes.yml"
#: Files in data/offices/ that hold tables, not office records.
TABLE_FILES = frozenset({"postcodes", "fallbacks", "area_codes", "source_kinds"})
#: Order of sources on a card: what the office or an authority says first, the press last.
KIND_RANK = {"official": 0, "other": 1, "press": 2}
AREA_CODE = re.compile(r"^0[2-9]\d{1,4}$")
# Numbers that dial as they stand anywhere in Germany: 110, 112, 115 and the 116xxx
# harmonised services (a local number without area code does not).
SHORT_NUMBER = re.compile(r"^(11[0-9]|116\d{3})$")


@dataclass(frozen=True)
class Source:
    """One publication a record is based on."""

    url: str
    kind: str  # official | other | press (see source_kinds.yml)
    date: str | None = None  # only the main source carries a date in the records

    @property
    def host(self) -> str:
        """The web host without ``www.``."""
        return host_of(self.url)


@dataclass(frozen=True)
class AreaCode:
    """The area code of a city's local network, as the Bundesnetzagentur lists it."""

    city: str
    code: str


def host_of(url: str) -> str:
    """Lower-case host of ``url`` without a leading ``www.``."""
    host = (urlparse(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def kind_of(url: str, kinds: Mapping[str, str]) -> str | None:
    """The kind of the source at ``url``; ``None`` when its host is not classified."""
    host = host_of(url)
    parts = host.split(".")
    # bamf.de classifies bamf-navi.bamf.de too: try the host, then each parent domain.
    for i in range(len(parts) - 1):
        kind = kinds.get(".".join(parts[i:]))
        if kind:
            return kind
    return None


def ranked_sources(record: Mapping[str, Any], kinds: Mapping[str, str]) -> tuple[Source, ...]:
    """The record's main and additional sources, official first and the press last.

    The sort is stable, so among sources of one kind the main source stays first.
    Unclassified hosts (the validator refuses them) count as ``other``.
    """
    date = str(record["source_date"]) if record.get("source_date") else None
    sources = [Source(record["source_url"], kind_of(record["source_url"], kinds) or "other", date)]
    sources += [
        Source(url, kind_of(url, kinds) or "other")
        for url in record.get("additional_sources") or []
    ]
    return tuple(sorted(sources, key=lambda s: KIND_RANK[s.kind]))


def international_number(phone: str) -> str | None:
    """``phone`` as ``+49…`` (or a nationwide short number) if it dials as printed, else None.

    ``88-38883`` has no area code: dialled from a mobile it reaches nobody, so it
    gets no link. Digits are never added or guessed.
    """
    text = phone.strip()
    if text.startswith("+"):
        # "+49 (0)201 …": the bracketed 0 is not dialled with the country code.
        text = text.replace("(0)", "")
    digits = re.sub(r"[^\d+]", "", text)
    if digits.startswith("+"):
        rest = digits[1:]
        return "+" + rest if rest.isdigit() and len(rest) >= 6 else None
    if digits.startswith("00"):
        return "+" + digits[2:] if len(digits) >= 8 else None
    if digits.startswith("0") and len(digits) >= 6:
        return "+49" + digits[1:]
    if SHORT_NUMBER.match(digits):
        return digits
    return None


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_source_kinds(directory: Path) -> dict[str, str]:
    """Host -> kind from source_kinds.yml (empty when the file is missing)."""
    path = directory / SOURCE_KINDS_FILE
    if not path.exists():
        return {}
    data = _read(path) or {}
    return {str(host).lower(): kind for kind in KIND_RANK for host in data.get(kind) or []}


def load_area_codes(directory: Path) -> dict[str, AreaCode]:
    """City -> area code from area_codes.yml (empty when the file is missing)."""
    path = directory / AREA_CODES_FILE
    if not path.exists():
        return {}
    cities = (_read(path) or {}).get("cities") or {}
    return {city: AreaCode(city, str(entry["code"])) for city, entry in cities.items()}


def validate_tables(directory: Path, cities: set[str]) -> list[str]:
    """Problems of source_kinds.yml and area_codes.yml (empty list = valid)."""
    problems: list[str] = []
    kinds_path = directory / SOURCE_KINDS_FILE
    if not kinds_path.exists():
        problems.append(f"{SOURCE_KINDS_FILE}: missing (every source host needs a kind)")
    else:
        data = _read(kinds_path) or {}
        problems += [
            f"{SOURCE_KINDS_FILE}: unknown kind {key!r} (use {', '.join(KIND_RANK)})"
            for key in data
            if key not in KIND_RANK
        ]
        seen: dict[str, str] = {}
        for kind in KIND_RANK:
            for host in data.get(kind) or []:
                if host in seen:
                    problems.append(f"{SOURCE_KINDS_FILE}: {host} is both {seen[host]} and {kind}")
                seen[host] = kind
    area_path = directory / AREA_CODES_FILE
    if area_path.exists():
        data = _read(area_path) or {}
        if not data.get("source_url"):
            problems.append(f"{AREA_CODES_FILE}: missing source_url")
        for city, entry in (data.get("cities") or {}).items():
            code = str((entry or {}).get("code", ""))
            if not AREA_CODE.match(code):
                problems.append(f"{AREA_CODES_FILE}: {city}: {code!r} is not an area code (0…)")
            if city not in cities:
                problems.append(f"{AREA_CODES_FILE}: {city} is not a city of postcodes.yml")
    return problems
