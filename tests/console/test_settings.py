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


async def test_request_urls_work_with_the_pinned_yarl():
    """aiohttp 3.9.5 builds ``request.url`` from the Host header; yarl >= 1.13 rejects
    ``host:port`` there (every sub-app request became a 500) and yarl 1.9.5-1.12 turn a
    garbage Host into a 500. yarl 1.9.4 handles all three, so no patch is needed."""
    import yarl
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    async def echo(request: web.Request) -> web.Response:
        return web.Response(text=str(request.url))

    sub = web.Application()
    sub.router.add_get("/x", echo)
    root = web.Application()
    root.add_subapp("/staff/", sub)
    async with TestClient(TestServer(root)) as client:
        for host, expected in (
            (None, "/staff/x"),
            ("[::1]:8080", "http://[::1]:8080/staff/x"),
            ("bad host:%%", None),
        ):
            resp = await client.get("/staff/x", headers={"Host": host} if host else {})
            assert resp.status == 200, f"yarl {yarl.__version__}: pin yarl==1.9.4 ({host})"
            if expected:
                assert (await resp.text()).endswith(expected)


def test_trusted_proxies_are_checked_at_start():
    import pytest

    from bot.console.settings import trusted_proxies

    assert trusted_proxies(" 127.0.0.1, 10.0.0.0/8 ,") == ("127.0.0.1/32", "10.0.0.0/8")
    assert trusted_proxies("") == ()
    with pytest.raises(ValueError, match="no address"):
        trusted_proxies("127.0.0.1, proxy.internal")
