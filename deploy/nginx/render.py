"""Render wegweiser.conf.template outside the nginx image (tests, a plain nginx host).

    python deploy/nginx/render.py > /etc/nginx/conf.d/wegweiser.conf
    python deploy/nginx/render.py --standalone /tmp/proxy > /tmp/proxy/nginx.conf
    nginx -p /tmp/proxy -c /tmp/proxy/nginx.conf

Substitutes ``${WEGWEISER_*}`` from the environment, like the image's envsubst with
NGINX_ENVSUBST_FILTER=^WEGWEISER_, and nothing else (nginx's own ``$variables`` stay).
A variable the template uses but the environment lacks is an error, not an empty string.
``--standalone DIR`` wraps the result into a complete nginx.conf whose pid file, logs and
temporary files live in DIR, so a test can run its own nginx next to the system's.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

TEMPLATE = Path(__file__).with_name("wegweiser.conf.template")
VARIABLE = re.compile(r"\$\{(WEGWEISER_[A-Z0-9_]+)\}")


def render(env: Mapping[str, str], template: str | None = None) -> str:
    """The template with every ``${WEGWEISER_*}`` replaced from ``env``."""
    text = TEMPLATE.read_text(encoding="utf-8") if template is None else template
    missing = sorted({m for m in VARIABLE.findall(text) if m not in env})
    if missing:
        raise SystemExit(f"not set: {', '.join(missing)}")
    return VARIABLE.sub(lambda m: env[m.group(1)], text)


def standalone(body: str, prefix: Path) -> str:
    """A complete nginx.conf around ``body`` with all runtime files under ``prefix``.

    Started as root, nginx's workers run as ``nobody``: ``prefix`` and its parents must
    be traversable for them (pytest's tmp_path is not: its parents are 0700).
    """
    temp = {
        name: prefix / f"{name}_temp"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    }
    return (
        f"pid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} warn;\n"
        "worker_processes 1;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "    default_type application/octet-stream;\n"
        + "".join(f"    {name}_temp_path {path};\n" for name, path in temp.items())
        + body.replace("/dev/stdout", str(prefix / "access.log"))
        + "\n}\n"
    )


def main() -> None:
    """CLI: print the rendered file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--standalone", type=Path, metavar="DIR")
    args = parser.parse_args()
    body = render(os.environ)
    sys.stdout.write(standalone(body, args.standalone.resolve()) if args.standalone else body)


if __name__ == "__main__":
    main()
