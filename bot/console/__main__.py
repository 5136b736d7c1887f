"""``python -m bot.console migrate|refresh|serve|users`` — schema, summary, server, accounts.

``users add NAME [--role admin]``, ``users set-password NAME`` (also unlocks and ends the
account's sessions), ``users disable NAME`` / ``users enable NAME``, ``users list``. Every
change is written to the console's audit log as ``cli:<operating-system user>``.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.console import auth, db, summary
from bot.console.app import create_console_app
from bot.console.settings import load_settings


def _password(args: argparse.Namespace) -> str:
    # Why env/stdin options: scripts and tests must not need a terminal.
    if args.password_env:
        return os.environ[args.password_env]
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat: "):
        raise auth.UserError("The passwords differ.")
    return first


def _operator() -> str:
    """Who ran the command, for the audit log."""
    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return f"cli:uid{os.getuid()}"


def _users(engine: Engine, args: argparse.Namespace) -> int:
    """Run one ``users`` subcommand; account changes are audit-logged."""
    who = _operator()
    try:
        if args.users_command == "add":
            auth.add_user(engine, args.username, _password(args), args.role)
            auth.audit(engine, who, "user-create", args.username, args.role)
            print(f"created {args.role} {args.username}")
        elif args.users_command == "set-password":
            auth.set_password(engine, args.username, _password(args))
            auth.audit(engine, who, "user-password", args.username)
            print(f"password set for {args.username}; its sessions were ended")
        elif args.users_command in ("disable", "enable"):
            auth.set_active(engine, args.username, args.users_command == "enable")
            auth.audit(engine, who, f"user-{args.users_command}", args.username)
            print(f"{args.users_command}d {args.username}")
        else:
            for u in auth.list_users(engine):
                state = "active" if u["active"] else "disabled"
                print(f"{u['username']:<24} {u['role']:<9} {state}")
    except auth.UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.console")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create/upgrade the console tables (also done on start)")
    sub.add_parser("refresh", help="fold all new tracker events into the console summary")
    serve = sub.add_parser("serve", help="run the console alone under /staff/ (local use)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8081)
    users = sub.add_parser("users", help="manage staff accounts")
    usub = users.add_subparsers(dest="users_command", required=True)
    add = usub.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", choices=auth.ROLES, default="reviewer")
    add.add_argument("--password-env", help="read the password from this environment variable")
    pw = usub.add_parser("set-password", help="new password; unlocks, ends all sessions")
    pw.add_argument("username")
    pw.add_argument("--password-env", help="read the password from this environment variable")
    for name in ("disable", "enable"):
        usub.add_parser(name, help=f"{name} an account").add_argument("username")
    usub.add_parser("list", help="list accounts")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = _parser().parse_args(argv)
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
    if args.command == "users":
        return _users(engine, args)
    if args.command == "refresh":
        print(f"{summary.refresh_all(engine)} events folded; {summary.prune(engine)} rows pruned")
    else:
        print("console schema is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
