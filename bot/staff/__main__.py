"""``python -m bot.staff add-user|set-password|list`` — manage staff console accounts."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from bot.console import auth, db
from bot.console.settings import load_settings


def _password(args: argparse.Namespace) -> str:
    # Why env/stdin options: scripts and tests must not need a terminal.
    if args.password_env:
        return os.environ[args.password_env]
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat: "):
        raise auth.UserError("passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m bot.staff")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add-user", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", choices=auth.ROLES, default="reviewer")
    add.add_argument("--password-env", help="read the password from this environment variable")
    pw = sub.add_parser("set-password", help="set a new password and unlock the account")
    pw.add_argument("username")
    pw.add_argument("--password-env")
    sub.add_parser("list", help="list accounts")
    args = parser.parse_args(argv)

    engine = db.make_engine(load_settings().db_url)
    db.migrate(engine)
    try:
        if args.command == "add-user":
            auth.add_user(engine, args.username, _password(args), args.role)
            print(f"created {args.role} {args.username}")
        elif args.command == "set-password":
            auth.set_password(engine, args.username, _password(args))
            print(f"password set for {args.username}")
        else:
            for u in auth.list_users(engine):
                state = "active" if u["active"] else "disabled"
                print(f"{u['username']:<24} {u['role']:<9} {state}")
    except auth.UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
