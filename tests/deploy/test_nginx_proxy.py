"""deploy/nginx/wegweiser.conf.template in a real nginx (Debian's), before stub upstreams.

The template is rendered with deploy/nginx/render.py exactly as the compose stack's
nginx image renders it; nginx runs it on loopback ports in front of two stand-in Rasa
replicas and a stand-in web service that report which of them answered and what they
received. The multi-replica test with the real servers checks the application behind it;
this one checks the proxy's own promises: TLS, redirects, caps, limits, routing,
stickiness, WebSocket headers, forwarded addresses, hidden internals.
"""

from __future__ import annotations

import http.client
import json
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.paths import PROJECT_ROOT
from bot.secret_files import self_signed
from tools.processes import free_port

sys.path.insert(0, str(PROJECT_ROOT / "deploy" / "nginx"))
from render import render, standalone  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


class Backend(ThreadingHTTPServer):
    """Answers every request with its own name and what it received."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(("127.0.0.1", 0), _Echo)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


class _Echo(BaseHTTPRequestHandler):
    server: Backend
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        payload = json.dumps(
            {
                "backend": self.server.name,
                "path": self.path,
                "body": len(body),
                "headers": {k.lower(): v for k, v in self.headers.items()},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Proxy:
    https_port: int
    http_port: int
    tls: ssl.SSLContext

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        client: str = "127.0.0.1",
    ) -> tuple[int, dict[str, str], bytes]:
        """One HTTPS request from the loopback address ``client`` (each test uses its
        own, so the per-address rate limits of one test do not spill into another)."""
        conn = http.client.HTTPSConnection(
            "localhost",
            self.https_port,
            context=self.tls,
            timeout=10,
            source_address=(client, 0),
        )
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def proxy() -> Iterator[Proxy]:
    # Not tmp_path: nginx's workers (nobody) must traverse the directory.
    prefix = Path(tempfile.mkdtemp(prefix="wegweiser-nginx-"))
    prefix.chmod(0o755)
    self_signed(prefix, "localhost")
    rasa = [Backend("rasa-1"), Backend("rasa-2")]
    web = Backend("web")
    https_port, http_port = free_port(), free_port()
    env = {
        "WEGWEISER_SERVER_NAME": "localhost",
        "WEGWEISER_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
        "WEGWEISER_HTTP_LISTEN": f"127.0.0.1:{http_port}",
        "WEGWEISER_TLS_CERT": str(prefix / "tls.crt"),
        "WEGWEISER_TLS_KEY": str(prefix / "tls.key"),
        "WEGWEISER_RASA_SERVERS": " ".join(f"server {b.address} max_fails=1;" for b in rasa),
        "WEGWEISER_WEB_SERVERS": f"server {web.address};",
        "WEGWEISER_CONSOLE_ACCESS": "allow 10.0.0.0/8; deny all;",
    }
    config = prefix / "nginx.conf"
    config.write_text(standalone(render(env), prefix))
    check = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(config)], capture_output=True)
    assert check.returncode == 0, check.stderr.decode()
    subprocess.run([NGINX, "-p", str(prefix), "-c", str(config)], check=True)
    tls = ssl.create_default_context(cafile=str(prefix / "tls.crt"))
    deadline = time.monotonic() + 10
    while not (prefix / "nginx.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        yield Proxy(https_port, http_port, tls)
    finally:
        subprocess.run([NGINX, "-p", str(prefix), "-c", str(config), "-s", "quit"])
        for backend in (*rasa, web):
            backend.shutdown()
        shutil.rmtree(prefix, ignore_errors=True)


def answer(body: bytes) -> dict:
    return json.loads(body)


def test_http_redirects_to_https(proxy: Proxy) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=5)
    conn.request("GET", "/widget/wegweiser.js", headers={"Host": "localhost"})
    resp = conn.getresponse()
    assert resp.status == 301
    assert resp.getheader("Location") == "https://localhost/widget/wegweiser.js"


def test_routes_widget_to_rasa_and_pages_to_web(proxy: Proxy) -> None:
    status, headers, body = proxy.request("GET", "/socket.io/?EIO=4&transport=polling")
    assert status == 200 and answer(body)["backend"].startswith("rasa-")
    assert "max-age" in headers["strict-transport-security"]
    status, _, body = proxy.request("POST", "/webhooks/rest/webhook", b'{"sender":"a"}')
    assert status == 200 and answer(body)["backend"].startswith("rasa-")
    status, _, body = proxy.request("GET", "/")
    assert status == 200 and answer(body)["backend"] == "web"


def test_rasa_internals_are_not_reachable(proxy: Proxy) -> None:
    for path in ("/health/ready", "/health/live"):
        assert proxy.request("GET", path)[0] == 404
    # Rasa's HTTP API paths fall through to the web service, which has no such routes.
    _, _, body = proxy.request("GET", "/conversations/x/tracker")
    assert answer(body)["backend"] == "web"


def test_console_allowlist(proxy: Proxy) -> None:
    """CONSOLE_ACCESS allows only 10.0.0.0/8 here; the test client is 127.0.0.1."""
    assert proxy.request("GET", "/staff/")[0] == 403
    assert proxy.request("POST", "/staff/login", b"u=a")[0] == 403


def test_body_size_caps(proxy: Proxy) -> None:
    ok = proxy.request("POST", "/webhooks/rest/webhook", b"x" * 100_000, client="127.0.0.3")
    assert ok[0] == 200 and answer(ok[2])["body"] == 100_000
    for path, size in (("/webhooks/rest/webhook", 200_000), ("/socket.io/?EIO=4", 200_000)):
        assert proxy.request("POST", path, b"x" * size, client="127.0.0.3")[0] == 413
    assert proxy.request("POST", "/", b"x" * 20_000, client="127.0.0.3")[0] == 413  # 16 KiB


def test_socketio_sticks_to_one_replica(proxy: Proxy) -> None:
    """Every polling request of a client reaches the replica of its handshake; the route
    cookie holds the key, and another key (another client) can land elsewhere."""
    me = "127.0.0.4"
    status, headers, body = proxy.request("GET", "/socket.io/?EIO=4&transport=polling", client=me)
    first = answer(body)["backend"]
    cookie = headers["set-cookie"].split(";")[0]
    assert cookie == f"wegweiser_route={me}"
    assert "Secure" in headers["set-cookie"] and "HttpOnly" in headers["set-cookie"]
    for _ in range(8):
        _, _, body = proxy.request("GET", "/socket.io/?sid=x", headers={"Cookie": cookie})
        assert answer(body)["backend"] == first  # the cookie, from any address
        _, _, body = proxy.request("POST", "/socket.io/?sid=x", b"4hi", client=me)
        assert answer(body)["backend"] == first  # no cookie (cross-site): same address
    backends = set()
    for i in range(16):
        route = {"Cookie": f"wegweiser_route=k{i}"}
        _, _, body = proxy.request("GET", "/socket.io/", headers=route, client="127.0.0.5")
        backends.add(answer(body)["backend"])
    assert backends == {"rasa-1", "rasa-2"}  # keys spread over both replicas


def test_websocket_upgrade_and_forwarded_headers(proxy: Proxy) -> None:
    _, _, body = proxy.request(
        "GET",
        "/socket.io/?EIO=4&transport=websocket",
        client="127.0.0.8",
        headers={
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "X-Forwarded-For": "6.6.6.6",
        },
    )
    received = answer(body)["headers"]
    assert received["upgrade"] == "websocket"
    assert received["connection"] == "upgrade"
    assert received["x-forwarded-for"] == "127.0.0.8"  # the forged address is dropped
    assert received["x-forwarded-proto"] == "https"
    _, _, body = proxy.request("GET", "/socket.io/?EIO=4&transport=polling")
    assert "upgrade" not in answer(body)["headers"]


def test_per_ip_rate_limit(proxy: Proxy) -> None:
    """5 turns/s with a burst of 20 per address: a flood gets 429s, not the replicas."""
    flood = [proxy.request("POST", "/webhooks/rest/webhook", b"{}", client="127.0.0.6")]
    flood += [proxy.request("POST", "/socket.io/", b"{}", client="127.0.0.6") for _ in range(39)]
    statuses = [status for status, _, _ in flood]
    assert statuses[:15].count(200) == 15
    assert statuses.count(429) >= 10
    assert set(statuses) == {200, 429}
    # Another address is not affected.
    assert proxy.request("POST", "/webhooks/rest/webhook", b"{}", client="127.0.0.7")[0] == 200
