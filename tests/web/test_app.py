"""The web service app (in process, real aiohttp server): routes, headers, strings, settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

from bot.languages import RTL, SUPPORTED
from bot.web.app import create_app
from bot.web.settings import STATIC_DIR, Settings
from bot.web.strings import StringsError, load_strings

SITE = "https://www.stadt.example"
SETTINGS = Settings(
    rasa_url="https://bot.stadt.example",
    public_url="https://chat.stadt.example",
    allowed_origins=(SITE,),
)


@pytest.fixture
async def client():
    async with TestClient(TestServer(create_app(SETTINGS))) as client:
        yield client


async def test_demo_page_embeds_the_widget_with_the_snippet(client):
    resp = await client.get("/")
    assert resp.status == 200
    page = await resp.text()
    assert '<script src="/widget/wegweiser.js" data-server="https://bot.stadt.example"' in page
    # the snippet for other sites is shown (escaped) on the page
    assert (
        "&lt;script src=&quot;https://chat.stadt.example/widget/wegweiser.js&quot; "
        "data-server=&quot;https://bot.stadt.example&quot; defer&gt;&lt;/script&gt;"
    ) in page
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "connect-src 'self' https://bot.stadt.example wss://bot.stadt.example" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path, content_type",
    [
        ("/widget/wegweiser.js", "application/javascript"),
        ("/widget/wegweiser.css", "text/css"),
        ("/widget/vendor/socket.io.min.js", "application/javascript"),
    ],
)
async def test_widget_files_are_served(client, path, content_type):
    resp = await client.get(path)
    assert resp.status == 200
    assert resp.content_type in (content_type, "text/javascript")
    assert resp.headers["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_vendored_client_is_socket_io_4_with_its_licence():
    bundle = (STATIC_DIR / "vendor" / "socket.io.min.js").read_text()
    assert bundle.startswith("/*!\n * Socket.IO v4.")
    licence = (STATIC_DIR / "vendor" / "socket.io.min.js.LICENSE.txt").read_text()
    assert "socket.io-client" in licence and "Permission is hereby granted" in licence


async def test_strings_for_every_language(client):
    resp = await client.get("/widget/strings.json")
    assert resp.status == 200
    data = await resp.json()
    assert [lang["code"] for lang in data["languages"]] == list(SUPPORTED)
    for lang in data["languages"]:
        assert lang["dir"] == ("rtl" if lang["code"] in RTL else "ltr")
        assert lang["name"] == data["strings"][lang["code"]]["language_name"]
    names = {lang["code"]: lang["name"] for lang in data["languages"]}
    assert names["ar"] == "العربية" and names["uk"] == "Українська"


async def test_cors_only_for_allowed_sites(client):
    allowed = await client.get("/widget/strings.json", headers={"Origin": SITE})
    assert allowed.headers["Access-Control-Allow-Origin"] == SITE
    other = await client.get("/widget/strings.json", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


async def test_unknown_paths_get_404_with_headers(client):
    resp = await client.get("/widget/../../bot/web/app.py")
    assert resp.status == 404
    resp = await client.get("/nothing-here")
    assert resp.status == 404
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


async def test_health(client):
    resp = await client.get("/healthz")
    assert resp.status == 200 and (await resp.json()) == {"status": "ok"}


def test_widget_never_builds_html_from_text():
    """Message text is inserted as text only (no HTML parsing of anything the bot sends)."""
    source = (STATIC_DIR / "wegweiser.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source
    assert "createTextNode" in source and "textContent" in source


def test_strings_files_are_checked(tmp_path: Path):
    strings_dir = tmp_path / "widget"
    shutil.copytree(Settings().strings_dir, strings_dir)
    assert set(load_strings(strings_dir)) == set(SUPPORTED)
    tr = yaml.safe_load((strings_dir / "tr.yml").read_text(encoding="utf-8"))
    del tr["send"]
    (strings_dir / "tr.yml").write_text(yaml.safe_dump(tr, allow_unicode=True), encoding="utf-8")
    with pytest.raises(StringsError, match=r"tr\.yml: missing \['send'\]"):
        load_strings(strings_dir)
    (strings_dir / "fa.yml").unlink()
    with pytest.raises(StringsError, match="fa.yml: missing"):
        load_strings(strings_dir)


def test_settings_from_environment():
    settings = Settings.from_env(
        {
            "WEB_HOST": "0.0.0.0",
            "WEB_PORT": "9000",
            "RASA_PUBLIC_URL": "https://bot.example/",
            "WIDGET_ALLOWED_ORIGINS": "https://a.example/, https://b.example",
        }
    )
    assert settings.port == 9000
    assert settings.public_url == "http://127.0.0.1:9000"
    assert settings.rasa_url == "https://bot.example"
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
    default = Settings.from_env({})
    assert default.allowed_origins == ("http://127.0.0.1:8080", "http://localhost:8080")
    assert Settings.from_env({"WIDGET_ALLOWED_ORIGINS": "*"}).allowed_origins == "*"
    with pytest.raises(ValueError, match="WEB_PORT must be a number"):
        Settings.from_env({"WEB_PORT": "eighty"})
