"""``python -m bot.console migrate|refresh|serve`` — schema, summary, and a local server."""

from __future__ import annotations

import argparse
import logging
import sys

from aiohttp import web

from bot.console import db, summary
from bot.console.app import create_console_app
from bot.console.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m bot.console")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create/upgrade the console tables (also done on start)")
    sub.add_parser("refresh", help="fold all new tracker events into the console summary")
    serve = sub.add_parser("serve", help="run the console alone under /staff/ (local use)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8081)
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.command == "serve":
        logging.basicConfig(level=logging.INFO)
        root = web.Application()
        root.add_subapp("/staff/", create_console_app(settings))
        print(f"staff console: http://{args.host}:{args.port}/staff/")
        web.run_app(root, host=args.host, port=args.port, print=None)
        return 0
    engine = db.make_engine(settings.db_url)
    db.migrate(engine)
    if args.command == "refresh":
        print(f"{summary.refresh_all(engine)} events folded; {summary.prune(engine)} rows pruned")
    else:
        print("console schema is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
