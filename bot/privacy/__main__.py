"""Privacy commands.

    python -m bot.privacy retention [--days N] [--dry-run] [--db-url URL]
    python -m bot.privacy delete SENDER_ID [--db-url URL]
    python -m bot.privacy redact "some text"          # show what would be stored
    python -m bot.privacy report                      # redaction recall on the test set

Without ``--db-url`` the tracker store of the endpoints file (``ENDPOINTS``) is used.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bot.privacy")
    commands = parser.add_subparsers(dest="command", required=True)
    retention = commands.add_parser("retention", help="delete conversations older than N days")
    retention.add_argument("--days", type=int, help="default: env/endpoints/90")
    retention.add_argument("--dry-run", action="store_true", help="only count")
    retention.add_argument("--db-url", help="SQLAlchemy URL of the tracker store")
    delete = commands.add_parser("delete", help="delete one conversation (admin)")
    delete.add_argument("sender_id")
    delete.add_argument("--db-url")
    redact = commands.add_parser("redact", help="print a text as it would be stored")
    redact.add_argument("text")
    commands.add_parser("report", help="redaction recall per category and language")
    args = parser.parse_args(argv)

    if args.command == "retention":
        from bot.privacy.db import engine_for
        from bot.privacy.retention import purge, retention_days

        try:
            days = retention_days(args.days)
        except ValueError as error:
            parser.error(str(error))
        result = purge(engine_for(args.db_url), days, dry_run=args.dry_run)
        cutoff = datetime.fromtimestamp(result.cutoff, timezone.utc).isoformat(timespec="seconds")
        verb = "would delete" if result.dry_run else "deleted"
        print(
            f"retention {days} days (last event before {cutoff}): {verb} "
            f"{result.conversations} conversations, {result.events} events"
        )
    elif args.command == "delete":
        from bot.privacy.deletion import delete_conversation

        count = delete_conversation(args.db_url, args.sender_id)
        print(f"deleted {count} events")
        return 0 if count else 1
    elif args.command == "redact":
        from bot.privacy.redaction import redact as run

        print(run(args.text).text)
    else:
        from bot.languages import SUPPORTED
        from bot.privacy.evaluation import report

        print(report(list(SUPPORTED)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
