"""Throwaway PostgreSQL databases on the local server (tests and benchmarks)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2

#: Where the admin connection goes; override with $WEGWEISER_TEST_PG (a libpq URL).
ADMIN_DSN = os.environ.get("WEGWEISER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def throwaway_database(prefix: str = "wegweiser") -> Iterator[str]:
    """Create a fresh database, yield its SQLAlchemy URL, drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(ADMIN_DSN)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        dsn = admin.get_dsn_parameters()
        yield f"postgresql://{dsn['user']}@{dsn['host']}:{dsn['port']}/{name}"
    finally:
        # A fresh connection: the first may have died with a server restart (tests/ops).
        admin.close()
        admin = psycopg2.connect(ADMIN_DSN)
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()
