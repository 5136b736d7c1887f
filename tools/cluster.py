"""Two Rasa replicas, one action server and the web service behind a real nginx.

The architecture of deploy/ (compose, Helm) proven with real processes on one machine
(tests/ops, bench/load.py). Docker and Kubernetes are not available here, so each
"host" is a process on its own loopback address (127.0.1.1, 127.0.1.2 for the Rasa
replicas, 127.0.2.1 for the action server, 127.0.3.1 for nginx): no traffic leaves
the machine. All share one throwaway PostgreSQL database (tracker store) and Redis
(lock store, own db number and key prefix). nginx (Debian's package, `make nginx`):

- REST and messenger webhooks: round-robin over both replicas, so consecutive turns
  of one conversation land on different replicas; a replica that refuses connections
  is skipped (``proxy_next_upstream error``: the request was never sent, so it is safe
  to send it to the other one);
- socket.io: ``hash $remote_addr consistent`` (sticky by client address), because
  the long-polling transport sends each request of one session separately and only
  the replica that opened the session knows it; WebSocket upgrades pass through;
- everything else: the web service (widget, staff console).

Every response carries ``X-Wegweiser-Upstream`` (the replica that answered), so tests
can see where a turn went.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import redis
import sqlalchemy as sa

from tools.postgres import throwaway_database
from tools.processes import (
    ACTION_SERVER,
    MODEL,
    RASA_SERVER,
    REDACTING_STORE,
    free_port,
    server_env,
    start,
    stop,
)

NGINX = Path("/usr/sbin/nginx")
#: Our lock store (bot/lock_store.py) and Rasa's stock one, for the race measurement.
ATOMIC_LOCKS = "bot.lock_store.AtomicRedisLockStore"
STOCK_LOCKS = "redis"
REPLICA_ADDRESSES = ("127.0.1.1", "127.0.1.2")
ACTIONS_ADDRESS = "127.0.2.1"
PROXY_ADDRESS = "127.0.3.1"
UPSTREAM_HEADER = "X-Wegweiser-Upstream"
PSEUDONYM_KEY = "ops-test-pseudonym-key"
#: A question answered by a custom action (the office finder).
WARM_UP = "Wo ist das Jobcenter in Essen?"


def nginx_config(
    workdir: Path, listen: str, replicas: list[str], web: str, user: str | None = None
) -> str:
    """An nginx.conf for the cluster; every path it writes is under ``workdir``."""
    # A replica is skipped for 10 s after 3 failures; with max_fails=1 a single slow answer
    # under overload took a replica out, and both at once meant "no live upstreams" (502).
    servers = "\n".join(f"    server {r} max_fails=3 fail_timeout=10s;" for r in replicas)
    user_line = f"user {user};\n" if user else ""
    return f"""\
{user_line}worker_processes 1;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  # Who was sent where: tests read this to see which replica served a client.
  log_format ops '$remote_addr $upstream_addr $status "$request_method $uri"';
  access_log {workdir}/access.log ops;
  client_body_temp_path {workdir}/body;
  proxy_temp_path {workdir}/proxy;
  fastcgi_temp_path {workdir}/fastcgi;
  uwsgi_temp_path {workdir}/uwsgi;
  scgi_temp_path {workdir}/scgi;
  client_max_body_size 1m;
  # REST and webhooks: any replica (the lock store keeps a conversation's turns apart).
  upstream rasa_any {{
{servers}
    keepalive 64;
  }}
  # socket.io: long-polling needs every request of a session on the replica that holds it.
  upstream rasa_sticky {{
    hash $remote_addr consistent;
{servers}
  }}
  upstream web {{ server {web}; }}
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  server {{
    listen {listen};
    add_header {UPSTREAM_HEADER} $upstream_addr always;
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_connect_timeout 2s;
    proxy_read_timeout 120s;
    location = /nginx-health {{ return 200 "ok\\n"; }}
    location /webhooks/ {{
      proxy_pass http://rasa_any;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # Only connection failures: a POST already sent is never replayed elsewhere.
      proxy_next_upstream error;
    }}
    location /socket.io/ {{
      proxy_pass http://rasa_sticky;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_buffering off;
      proxy_next_upstream error;
    }}
    location / {{ proxy_pass http://web; }}
  }}
}}
"""


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Replica:
    """One Rasa server of the cluster."""

    name: str
    address: str
    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def upstream(self) -> str:
        """``address:port`` as nginx reports it in $upstream_addr."""
        return f"{self.address}:{self.port}"

    @property
    def url(self) -> str:
        """Direct URL (bypassing nginx)."""
        return f"http://{self.upstream}"


@dataclass
class Cluster:
    """Start/stop the whole cluster and break parts of it (faults)."""

    tmp: Path
    lock_store: str = ATOMIC_LOCKS
    model: Path = MODEL
    redis_db: int = 7
    #: (Bot API base URL, bot token, webhook secret) to enable the Telegram channel.
    telegram: tuple[str, str, str] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    replicas: list[Replica] = field(default_factory=list)
    database_url: str = ""
    key_prefix: str = field(default_factory=lambda: "wwops" + uuid.uuid4().hex[:8])
    proxy_url: str = ""
    web_url: str = ""
    action_url: str = ""
    actions: subprocess.Popen[bytes] | None = None
    nginx: subprocess.Popen[bytes] | None = None
    web: subprocess.Popen[bytes] | None = None
    _exit: ExitStack = field(default_factory=ExitStack)

    # --- life cycle -------------------------------------------------------------
    def start(self) -> Cluster:
        """Database, action server, both replicas (in parallel), web service, nginx."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        from bot.console import db as console_db

        self.database_url = self._exit.enter_context(throwaway_database("wegweiser_ops"))
        engine = sa.create_engine(self.database_url)
        # Tables first: two replicas starting at once would both try to create them.
        console_db.migrate(engine)
        engine.dispose()
        self.actions_port = free_port()
        web_port, self.proxy_port = free_port(), free_port()
        self.web_url = f"http://127.0.0.1:{web_port}"
        self.proxy_url = f"http://{PROXY_ADDRESS}:{self.proxy_port}"
        self.action_url = f"http://{ACTIONS_ADDRESS}:{self.actions_port}/webhook"
        self.start_actions()
        self.replicas = [
            Replica(f"rasa-{i + 1}", address, free_port())
            for i, address in enumerate(REPLICA_ADDRESSES)
        ]
        self.endpoints = self._write_endpoints()
        self.credentials = self._write_credentials()
        procs = [self._spawn_replica(r) for r in self.replicas]
        for replica, proc in zip(self.replicas, procs):
            replica.proc = proc
        for replica in self.replicas:
            self.wait_replica(replica)
            self.warm_up(replica)
        self.web = start(
            [sys.executable, "-m", "bot.web"],
            f"{self.web_url}/healthz",
            self.tmp / "web.log",
            timeout=60,
            env=server_env(
                WEB_PORT=str(web_port),
                ENDPOINTS=str(self.endpoints),
                RASA_PUBLIC_URL=self.proxy_url,
                WIDGET_ALLOWED_ORIGINS=self.proxy_url,
            ),
        )
        self.start_nginx()

    def stop(self) -> None:
        """Stop every process, drop the database, delete the Redis keys."""
        for proc in (self.nginx, self.web, *(r.proc for r in self.replicas), self.actions):
            if proc is not None and proc.poll() is None:
                stop(proc)
        try:
            client = redis.Redis(db=self.redis_db)
            for key in client.scan_iter(f"{self.key_prefix}*"):
                client.delete(key)
        except redis.RedisError:
            pass
        self._exit.close()

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- configuration ------------------------------------------------------------
    def _write_endpoints(self) -> Path:
        url = sa.engine.make_url(self.database_url)
        path = self.tmp / "endpoints.yml"
        path.write_text(
            f"action_endpoint:\n  url: {self.action_url}\n  enable_selective_domain: true\n"
            f"tracker_store:\n  type: {REDACTING_STORE}\n  dialect: postgresql\n"
            f"  url: {url.host}\n  port: {url.port}\n  db: {url.database}\n"
            f"  username: {url.username}\n"
            f"lock_store:\n  type: {self.lock_store}\n  url: 127.0.0.1\n  port: 6379\n"
            f"  db: {self.redis_db}\n  key_prefix: {self.key_prefix}\n"
        )
        return path

    def _write_credentials(self) -> Path:
        path = self.tmp / "credentials.yml"
        # No rate limits: every test and benchmark turn comes from this one machine, so
        # per-address limits would measure the limiter, not the cluster (they have tests
        # of their own in tests/channels).
        text = (
            "bot.channels.rest.ValidatingRestInput:\n  rate_limit: off\n"
            "bot.channels.socketio.WidgetSocketIOInput:\n"
            "  user_message_evt: user_uttered\n  bot_message_evt: bot_uttered\n"
            "  session_persistence: true\n  rate_limit: off\n  connect_rate_limit: off\n"
        )
        if self.telegram:
            api, token, secret = self.telegram
            text += (
                "bot.channels.telegram.TelegramInput:\n"
                f'  access_token: "{token}"\n  secret_token: "{secret}"\n'
                f'  api_base_url: "{api}"\n  rate_limit: off\n'
            )
        path.write_text(text)
        return path

    # --- processes ----------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        return server_env(
            WIDGET_ALLOWED_ORIGINS=self.proxy_url,
            WEGWEISER_PSEUDONYM_KEY=PSEUDONYM_KEY,
            # Widget conversation ids signed alike on both replicas (as in deploy/).
            WEGWEISER_SESSION_KEY=PSEUDONYM_KEY + "-sessions",
            # Each replica keeps a small pool: two replicas share one PostgreSQL.
            SQL_POOL_SIZE="10",
            SQL_MAX_OVERFLOW="20",
            **self.extra_env,
        )

    def _spawn_replica(self, replica: Replica) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"{replica.name}.log").open("a")
        return subprocess.Popen(
            [
                *(*RASA_SERVER, "run", "--model", str(self.model)),
                *("--interface", replica.address, "--port", str(replica.port)),
                *("--endpoints", str(self.endpoints), "--credentials", str(self.credentials)),
            ],
            cwd=Path(__file__).resolve().parents[1],
            env=self._env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait_replica(self, replica: Replica, timeout: float = 400) -> None:
        """Wait until ``replica`` answers (model loaded), or raise with its log."""
        assert replica.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if replica.proc.poll() is not None:
                log = (self.tmp / f"{replica.name}.log").read_text()[-3000:]
                raise RuntimeError(f"{replica.name} exited:\n{log}")
            try:
                with urllib.request.urlopen(replica.url + "/", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"{replica.name} not up after {timeout}s")

    def warm_up(self, replica: Replica) -> None:
        """One turn that calls the action server, so first calls are not timed cold.

        The first custom action of a fresh process takes longer than the 1.5 s action
        timeout on a busy machine (imports, directory load) and would be answered with
        the technical-problem reply.
        """
        body = json.dumps({"sender": f"warmup-{replica.name}", "message": WARM_UP}).encode()
        request = urllib.request.Request(
            replica.url + "/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        for _ in range(2):
            with urllib.request.urlopen(request, timeout=120) as resp:
                resp.read()

    def kill_replica(self, replica: Replica) -> None:
        """SIGKILL, as a crashed host: no shutdown, open requests die."""
        assert replica.proc is not None
        replica.proc.kill()
        replica.proc.wait(timeout=30)

    def restart_replica(self, replica: Replica) -> None:
        """Start a killed replica again on its address and port."""
        replica.proc = self._spawn_replica(replica)
        self.wait_replica(replica)
        self.warm_up(replica)

    def start_actions(self) -> None:
        """The real action server on its fixed address (restartable on the same port).

        A restarted one is warmed up through a running replica (see :meth:`warm_up`).
        """
        self.actions = start(
            [*ACTION_SERVER, "--port", str(self.actions_port)],
            f"http://{ACTIONS_ADDRESS}:{self.actions_port}/health",
            self.tmp / "actions.log",
            env=server_env(SANIC_HOST=ACTIONS_ADDRESS),
        )
        running = [r for r in self.replicas if r.proc is not None and r.proc.poll() is None]
        if running:
            self.warm_up(running[0])

    def stop_actions(self) -> None:
        """Stop the action server (it is down until :meth:`start_actions`)."""
        if self.actions is not None:
            stop(self.actions)

    def pause_actions(self) -> None:
        """Freeze the action server: connections are accepted, nothing is answered."""
        assert self.actions is not None
        os.kill(self.actions.pid, signal.SIGSTOP)

    def resume_actions(self) -> None:
        """Let a frozen action server run again."""
        assert self.actions is not None
        os.kill(self.actions.pid, signal.SIGCONT)

    def start_nginx(self) -> None:
        """Run nginx in the foreground, all its files under tmp/nginx."""
        workdir = self.tmp / "nginx"
        workdir.mkdir(exist_ok=True)
        conf = workdir / "nginx.conf"
        # As root, nginx would run its workers as www-data, which cannot write the
        # test's private temporary directory.
        user = "root" if os.geteuid() == 0 else None
        conf.write_text(
            nginx_config(
                workdir,
                f"{PROXY_ADDRESS}:{self.proxy_port}",
                [r.upstream for r in self.replicas],
                self.web_url.removeprefix("http://"),
                user,
            )
        )
        self.nginx = start(
            [str(NGINX), "-e", str(workdir / "error.log"), "-p", str(workdir), "-c", str(conf)],
            f"{self.proxy_url}/nginx-health",
            workdir / "stdout.log",
            timeout=30,
        )

    def access_log(self) -> list[tuple[str, str, str, str]]:
        """The nginx log so far: (client address, upstream(s), status, "METHOD path")."""
        path = self.tmp / "nginx" / "access.log"
        rows = []
        for line in path.read_text().splitlines():
            client, upstream, status, request = line.split(" ", 3)
            rows.append((client, upstream, status, request.strip('"')))
        return rows

    def pids(self) -> dict[str, int]:
        """Process ids of our services, by name (for memory readings)."""
        out = {r.name: r.proc.pid for r in self.replicas if r.proc and r.proc.poll() is None}
        if self.actions is not None and self.actions.poll() is None:
            out["actions"] = self.actions.pid
        if self.web is not None and self.web.poll() is None:
            out["web"] = self.web.pid
        return out

    def memory_kib(self) -> dict[str, int]:
        """Resident memory of each service now."""
        return {name: rss_kib(pid) for name, pid in self.pids().items()}
