"""The console finds the tracker store that Rasa uses."""

from __future__ import annotations

from bot.console.settings import db_url_from_endpoints
from bot.paths import PROJECT_ROOT


def test_default_endpoints_point_at_var_tracker_db():
    url = db_url_from_endpoints(PROJECT_ROOT / "endpoints.yml")
    assert url == f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"


def test_production_endpoints_use_the_environment(monkeypatch):
    for key, value in {
        "DB_HOST": "db.internal",
        "DB_PORT": "5433",
        "DB_NAME": "rasa",
        "DB_USER": "rasa",
        "DB_PASSWORD": "p@ss:word",
    }.items():
        monkeypatch.setenv(key, value)
    url = db_url_from_endpoints(PROJECT_ROOT / "endpoints.production.yml")
    assert url == "postgresql+psycopg2://rasa:p%40ss%3Aword@db.internal:5433/rasa"


def test_user_text_never_shows_phone_numbers():
    from bot.console.app import mask_phones

    assert mask_phones("ruf mich an: +49 176 1234567 bitte") == "ruf mich an: [PHONE] bitte"
    assert mask_phones("0201/88-51234") == "[PHONE]"
    assert mask_phones("PLZ 45127, Raum 12") == "PLZ 45127, Raum 12"
