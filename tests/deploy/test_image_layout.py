"""The images' contents and start commands, run without Docker on a read-only filesystem.

Docker is not available here, so this builds what the images would hold the plain way:
it copies exactly the files the Dockerfile's COPY lines name into an ``app`` directory and
runs each target's own ENTRYPOINT + CMD (read from the Dockerfile) with the environment
deploy/compose.yml gives it, in a private mount namespace where the whole filesystem is
read-only except a tmpfs for the service's scratch files (compose: ``read_only: true``
and ``tmpfs: /tmp``). Secrets come as files from ``bot.secret_files init``, as in compose.
It fails if an image lacks a file the services need, if a service writes outside its
scratch space, or if the commands, secrets and endpoints do not fit together.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
import yaml

from bot import secret_files
from bot.paths import PROJECT_ROOT
from tests.deploy.dockerfile import image
from tests.stack import essen_jobcenter_phones
from tools.processes import BIN, MODEL, free_port, start, stop

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}
COMPOSE = yaml.safe_load((PROJECT_ROOT / "deploy" / "compose.yml").read_text())
REST_TOKEN = "image-test-rest-token"
SECRETS = [
    "rasa_auth_token",
    "pseudonym_key",
    "session_key",
    "console_secret_key",
    "db_password:0444",
]

# Inside the namespace: everything read-only, then a tmpfs as the only writable place.
READ_ONLY = (
    'mount -o remount,bind,ro / && mount -t tmpfs -o size=512m,mode=1777 tmpfs "$SCRATCH" '
    '&& exec "$@"'
)


@dataclass
class Layout:
    """The app directory as the images hold it, and where the secrets lie."""

    app: Path
    secrets: Path
    database: str
    root: Path

    def argv(self, target: str, port: int) -> list[str]:
        """The target's ENTRYPOINT + CMD with this machine's paths and ``port``."""
        config = image(target)
        argv = [
            arg.replace("/app/", f"{self.app}/").replace(
                str(5005 if "rasa" in target else 5055), str(port)
            )
            for arg in config.entrypoint + config.cmd
        ]
        if argv[0] == "python":
            argv[0] = str(BIN / "python")
        elif argv[0] == "rasa":
            argv[0] = str(BIN / "rasa")
        return argv

    def env(self, target: str, service: str, scratch: Path, **extra: str) -> dict[str, str]:
        """Image ENV + the compose service's environment, pointed at local stores."""
        env = dict(image(target).env)
        env.update(
            PATH=f"{BIN}:/usr/bin:/bin",
            PYTHONPATH=str(self.app),
            HOME=str(scratch),
            TMPDIR=str(scratch),
            MPLCONFIGDIR=str(scratch / "matplotlib"),
            SCRATCH=str(scratch),
        )
        for key, value in (COMPOSE["services"][service].get("environment") or {}).items():
            if str(value).startswith("${"):
                continue  # optional settings (messengers, origins) stay unset
            value = str(value).replace("/run/secrets/wegweiser/", f"{self.secrets}/")
            env[key] = value
        env.update(
            DB_HOST=PG["host"],
            DB_NAME=self.database,
            DB_USER=PG["user"],
            REDIS_HOST="127.0.0.1",
            **extra,
        )
        return env

    def run(
        self, target: str, service: str, argv: list[str], health: str, **extra: str
    ) -> subprocess.Popen:
        """Start ``argv`` read-only in a private mount namespace; wait for ``health``."""
        scratch = self.root / f"scratch-{service}"
        scratch.mkdir()
        return start(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", READ_ONLY, "sh", *argv],
            health,
            self.root / f"{service}.log",
            timeout=300,
            env=self.env(target, service, scratch, **extra),
        )


def copy_image_files(app: Path) -> None:
    """What the rasa-baked, actions and web targets COPY, into ``app``."""
    copies = {
        src: dst for target in ("rasa-baked", "actions", "web") for src, dst in image(target).copies
    }
    for source, destination in copies.items():
        if source == "requirements/runtime.lock":
            continue  # the deps stage; the venv here holds the same packages
        origin = MODEL if source == "models/wegweiser.tar.gz" else PROJECT_ROOT / source
        target = Path(destination.replace("/app/", f"{app}/"))
        if not destination.startswith("/"):
            target = app / destination
        if origin.is_dir():
            shutil.copytree(
                origin, target, ignore=shutil.ignore_patterns("__pycache__", "node_modules")
            )
        else:
            if destination.endswith("/"):
                target = target / origin.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, target)


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layout]:
    root = tmp_path_factory.mktemp("image")
    app = root / "app"
    app.mkdir()
    copy_image_files(app)
    secrets = root / "secrets"
    secret_files.init(secrets, SECRETS)
    name = "wegweiser_image_" + uuid.uuid4().hex[:12]
    admin = psycopg2.connect(**PG)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    yield Layout(app, secrets, name, root)
    with admin.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


@dataclass
class Services:
    rasa: str
    web: str
    token: str


@pytest.fixture(scope="module")
def services(layout: Layout) -> Iterator[Services]:
    """migrate (one-shot), actions, Rasa and web as compose starts them."""
    migrate = COMPOSE["services"]["migrate"]["entrypoint"]
    scratch = layout.root / "scratch-migrate"
    scratch.mkdir()
    result = subprocess.run(
        [
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            READ_ONLY,
            "sh",
            str(BIN / "python"),
            *migrate[1:],
        ],
        env=layout.env("web", "migrate", scratch),
        cwd=layout.app,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "console schema is up to date" in result.stdout

    action_port, rasa_port, web_port = free_port(), free_port(), free_port()
    action_url = f"http://127.0.0.1:{action_port}/webhook"
    procs = []
    try:
        procs.append(
            layout.run(
                "actions",
                "actions",
                layout.argv("actions", action_port),
                f"http://127.0.0.1:{action_port}/health",
                SANIC_HOST="127.0.0.1",
            )
        )
        rasa_argv = [*layout.argv("rasa-baked", rasa_port), "--interface", "127.0.0.1"]
        procs.append(
            layout.run(
                "rasa-baked",
                "rasa-1",
                rasa_argv,
                f"http://127.0.0.1:{rasa_port}/health/ready",
                ACTION_ENDPOINT_URL=action_url,
                WEGWEISER_REST_TOKEN=REST_TOKEN,
            )
        )
        procs.append(
            layout.run(
                "web",
                "web",
                layout.argv("web", web_port),
                f"http://127.0.0.1:{web_port}/healthz",
                WEB_HOST="127.0.0.1",
                WEB_PORT=str(web_port),
                ACTION_ENDPOINT_URL=action_url,
            )
        )
        token = (layout.secrets / "rasa_auth_token").read_text().strip()
        yield Services(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{web_port}", token)
    finally:
        for proc in reversed(procs):
            stop(proc)


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.status, resp.read()


def test_rasa_ready_and_answers_with_directory_data(services: Services) -> None:
    status, body = get(f"{services.rasa}/health/ready")
    assert status == 200 and json.loads(body)["status"] == "ready"
    req = urllib.request.Request(
        f"{services.rasa}/webhooks/rest/webhook",
        data=json.dumps(
            {"sender": "image-" + uuid.uuid4().hex[:8], "message": "Wo ist das Jobcenter in Essen?"}
        ).encode(),
        # credentials.production.yml: REST only with a bearer token
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {REST_TOKEN}"},
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        replies = " ".join(m.get("text", "") for m in json.loads(resp.read()))
    assert any(phone in replies for phone in essen_jobcenter_phones()), replies


def test_api_token_from_the_generated_secret_file(services: Services) -> None:
    status, body = get(f"{services.rasa}/status?token={services.token}")
    assert status == 200 and json.loads(body)["model_file"].endswith("wegweiser.tar.gz")


def test_web_serves_page_widget_and_console(services: Services) -> None:
    assert get(f"{services.web}/")[0] == 200
    assert get(f"{services.web}/widget/strings.json")[0] == 200
    assert get(f"{services.web}/staff/login")[0] == 200


def test_retention_job_runs_from_the_image(layout: Layout, services: Services) -> None:
    """The chart's CronJob command, read-only, against the migrated database."""
    scratch = layout.root / "scratch-retention"
    scratch.mkdir()
    result = subprocess.run(
        [
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            READ_ONLY,
            "sh",
            str(BIN / "python"),
            "-m",
            "bot.secret_files",
            "exec",
            str(BIN / "python"),
            "-m",
            "bot.privacy",
            "retention",
            "--days",
            "90",
        ],
        env=layout.env("web", "web", scratch, ACTION_ENDPOINT_URL="http://127.0.0.1:1/webhook"),
        cwd=layout.app,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "retention 90 days" in result.stdout
