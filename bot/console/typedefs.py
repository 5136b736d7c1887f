"""Typed keys for what the console keeps on its aiohttp app."""

from __future__ import annotations

from aiohttp import web
from cryptography.fernet import Fernet
from sqlalchemy.engine import Engine

from bot.console.auth import IpThrottle
from bot.console.settings import ConsoleSettings

SETTINGS = web.AppKey("console_settings", ConsoleSettings)
ENGINE = web.AppKey("console_engine", Engine)
THROTTLE = web.AppKey("console_throttle", IpThrottle)
#: Encrypts sender ids into opaque URL keys (ids never appear in URLs or history).
URL_CIPHER = web.AppKey("console_url_cipher", Fernet)
REFRESH = web.AppKey("console_refresh", dict)
