"""Shared webhook helpers: text splitting, digit answers, replay filter, signatures."""

from __future__ import annotations

import pytest

from bot.channels.telegram import TelegramInput
from bot.channels.webhook import (
    ButtonMenus,
    RecentIds,
    hub_signature_valid,
    numbered_list,
    only_text_reply,
    parse_choice,
    setting,
    split_text,
)
from bot.languages import SUPPORTED
from tests.channels.fakes import hub_signature


def test_split_text_keeps_words_and_respects_the_limit():
    text = "Wort " * 1000
    pieces = split_text(text, 100)
    assert all(len(p) <= 100 for p in pieces)
    assert " ".join(pieces).split() == text.split()
    assert split_text("short", 100) == ["short"]
    assert split_text("", 100) == []
    assert split_text("x" * 250, 100) == ["x" * 100, "x" * 100, "x" * 50]


def test_split_text_prefers_paragraph_breaks():
    text = "a" * 60 + "\n\n" + "b" * 30 + " " + "c" * 30
    assert split_text(text, 100) == ["a" * 60, "b" * 30 + " " + "c" * 30]


@pytest.mark.parametrize(
    "text, number",
    [
        ("2", 2),
        (" 3 ", 3),
        ("3.", 3),
        ("٢", 2),
        ("۳", 3),
        ("12", 12),
        ("45127", None),
        ("zwei", None),
        ("", None),
        ("2a", None),
    ],
)
def test_parse_choice(text, number):
    assert parse_choice(text) == number


def test_menus_map_digits_back_per_user():
    menus = ButtonMenus()
    menus.remember("u1", ["/find_office", "/help"])
    assert numbered_list("Pick:", [{"title": "A"}, {"title": "B"}]) == "Pick:\n\n1. A\n2. B"
    assert menus.resolve("u1", "2") == "/help"
    assert menus.resolve("u1", "3") is None
    assert menus.resolve("u1", "Essen") is None
    assert menus.resolve("u2", "1") is None
    menus.remember("u1", ["/thank"])
    assert menus.resolve("u1", "2") is None


def test_recent_ids_drop_replays():
    recent = RecentIds(capacity=2)
    assert recent.first_time("a") and not recent.first_time("a")
    assert recent.first_time("b") and recent.first_time("c")
    assert recent.first_time("a")  # forgotten once capacity is exceeded


def test_hub_signature():
    body = b'{"object": "page"}'
    assert hub_signature_valid("s3cret", body, hub_signature("s3cret", body))
    assert not hub_signature_valid("s3cret", body, hub_signature("other", body))
    assert not hub_signature_valid("s3cret", body + b" ", hub_signature("s3cret", body))
    assert not hub_signature_valid("s3cret", body, None)


def test_only_text_reply_exists_in_every_language():
    replies = {code: only_text_reply(code) for code in SUPPORTED}
    assert len(set(replies.values())) == len(SUPPORTED)
    assert only_text_reply(None) == replies["de"] == only_text_reply("xx")


def test_settings_come_from_credentials_then_environment(monkeypatch):
    monkeypatch.setenv("WEGWEISER_TEST_SETTING", "env")
    assert setting({"k": "file"}, "k", "WEGWEISER_TEST_SETTING") == "file"
    assert setting({"k": ""}, "k", "WEGWEISER_TEST_SETTING") == "env"
    assert setting(None, "k", "WEGWEISER_UNSET_SETTING", "default") == "default"


def test_channel_without_secrets_is_disabled(monkeypatch):
    monkeypatch.setenv("WEGWEISER_PSEUDONYM_KEY", "unit")
    monkeypatch.delenv("TELEGRAM_SECRET_TOKEN", raising=False)
    monkeypatch.setenv("TELEGRAM_ACCESS_TOKEN", "123:abc")
    assert not TelegramInput.from_credentials(None).enabled  # a token alone is not enough
    monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", "s")
    assert TelegramInput.from_credentials(None).enabled


def test_long_telegram_payloads_get_a_short_callback_key(monkeypatch):
    monkeypatch.setenv("WEGWEISER_PSEUDONYM_KEY", "unit")
    channel = TelegramInput("123:abc", "secret")
    short = {"title": "x", "payload": "/help"}
    long = {
        "title": "x",
        "payload": '/inform{"city": "Mülheim an der Ruhr", "office_type": "migration_counselling"}',
    }
    assert len(long["payload"].encode()) > 64
    assert channel.callback_data(short) == "/help"
    key = channel.callback_data(long)
    assert len(key.encode()) <= 64 and channel._long_payloads[key] == long["payload"]


def test_forgotten_menu_maps_no_digits():
    menus = ButtonMenus()
    menus.remember("u1", ["/help"])
    menus.forget("u1")
    assert menus.resolve("u1", "1") is None
