"""bot.privacy.pseudonyms and bot.local_secrets: keyed, stable, reversible only in memory."""

from __future__ import annotations

import re

import pytest

from bot import local_secrets
from bot.privacy import pseudonyms
from bot.privacy.pseudonyms import Pseudonyms, pseudonym


def test_pseudonym_is_stable_keyed_and_per_channel():
    a = pseudonym(b"key-1", "telegram", "123456789")
    assert a == pseudonym(b"key-1", "telegram", "123456789")
    assert re.fullmatch(r"telegram-[0-9a-f]{32}", a)
    assert a != pseudonym(b"key-2", "telegram", "123456789")
    assert a != pseudonym(b"key-1", "whatsapp", "123456789")
    assert a != pseudonym(b"key-1", "telegram", "123456780")
    assert "123456789" not in a


def test_mapping_back_is_in_memory_and_bounded():
    ids = Pseudonyms("whatsapp", b"k", capacity=2)
    first = ids.pseudonymise("4915112345678")
    assert ids.platform_id(first) == "4915112345678"
    ids.pseudonymise("4915100000001")
    ids.pseudonymise("4915100000002")
    assert len(ids) == 2
    assert ids.platform_id(first) is None  # least recently used went first
    assert Pseudonyms("whatsapp", b"k").platform_id(first) is None  # nothing persisted


def test_empty_key_is_refused():
    with pytest.raises(ValueError):
        Pseudonyms("telegram", b"")


def test_key_comes_from_environment_or_is_generated_once(tmp_path, monkeypatch):
    monkeypatch.setattr(local_secrets, "VAR", tmp_path)
    monkeypatch.setattr(local_secrets, "SECRETS", tmp_path / "secrets.env")
    monkeypatch.setenv(pseudonyms.KEY_ENV, "from-env")
    assert pseudonyms.environment_key() == b"from-env"
    monkeypatch.delenv(pseudonyms.KEY_ENV)
    (tmp_path / "secrets.env").write_text("RASA_AUTH_TOKEN=tok\n")
    generated = pseudonyms.environment_key()
    assert len(generated) >= 32 and generated == pseudonyms.environment_key()
    stored = local_secrets.stored()
    assert stored["RASA_AUTH_TOKEN"] == "tok"  # other secrets survive
    assert stored[pseudonyms.KEY_ENV].encode() == generated
    assert (tmp_path / "secrets.env").stat().st_mode & 0o777 == 0o600
