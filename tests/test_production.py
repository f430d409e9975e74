"""`make production` as an operator runs it: nginx in front of two app servers sharing PostgreSQL
and Redis; slow clients, a lost database, and `make production-stop`.

It makes a PostgreSQL database and uses a Redis database of its own (the servers run beside the
suite on every machine, CI's included), and reaches PostgreSQL through a TCP proxy it can cut.
"""

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

import psycopg
import pytest
import redis
from django.conf import settings

from config import production as production_runner
from licenses import outputs

RUN_DIR = production_runner.RUN_DIR
REDIS_DB_URL = "redis://127.0.0.1:6379/9"


class CuttableProxy:
    """Forwards TCP connections to PostgreSQL until cut; started again, it forwards again."""

    def __init__(self, port: int = 0):
        self.listener = socket.create_server(("127.0.0.1", port))
        self.port = self.listener.getsockname()[1]
        self.pipes: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _ = self.listener.accept()
                upstream = socket.create_connection(("127.0.0.1", 5432))
            except OSError:
                return
            self.pipes += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source, target):
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, target):
                end.close()

    def cut(self):
        for end in (self.listener, *self.pipes):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
        self.pipes = []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Site:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers=None, timeout=10.0):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        connection.close()
        return response, data

    def new_release(self, licensor: str):
        """Fill the wizard as a browser would: the form (CSRF cookie and token), then the POST."""
        response, page = self.request("GET", "/licenses/owpl/1.0/wizard/")
        if response.status != 200:
            return response
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1].decode()
        values = {"licensor": licensor, "model": "Prod-1B", "year": "2026", "csrfmiddlewaretoken": token}
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{self.port}/licenses/owpl/1.0/wizard/",
        }
        response, _ = self.request("POST", "/licenses/owpl/1.0/wizard/", urlencode(values).encode(), headers)
        return response


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP to one app server's Unix socket, past nginx."""

    def __init__(self, path: Path, timeout: float = 10.0):
        super().__init__("127.0.0.1", timeout=timeout)
        self.socket_path = str(path)

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def latest_on(app_socket: Path) -> str:
    """Where one app server sends /licenses/owpl/ (its latest OWPL)."""
    connection = UnixHTTPConnection(app_socket)
    connection.request("GET", "/licenses/owpl/", headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.getheader("Location") or f"status {response.status}"


# Publish the version after the latest OWPL, as an editor's publication does (publishing.py).
PUBLISH_NEXT = """
from licenses.models import Document, Version
from licenses.publishing import publish_version
document = Document.objects.get(slug="owpl")
latest = document.versions.published().newest_first().first()
number = f"{latest.major}.{latest.minor + 1}"
version = Version.objects.create(
    document=document, number=number, summary=latest.summary, fields=latest.fields,
    markdown=latest.markdown.replace(latest.number, number), changelog="Published by the production test.",
)
publish_version(version=version)
print(number)
"""


def make(target: str, env: dict[str, str], timeout: int = 300):
    return subprocess.run(
        ["make", "--no-print-directory", target],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def production():
    """`make production` on a port of its own, its PostgreSQL behind a proxy; stopped afterwards."""
    database = f"ow_production_{uuid.uuid4().hex[:10]}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    proxy = CuttableProxy()
    redis.Redis.from_url(REDIS_DB_URL).flushdb()
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SITE_URL"))}
    env.update(
        HOST="127.0.0.1",
        PORT=str(port),
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{proxy.port}/{database}",
        REDIS_URL=REDIS_DB_URL,
    )
    started = make("production", env)
    try:
        assert started.returncode == 0, started.stdout[-2000:] + started.stderr[-2000:]
        proxies = [proxy]
        yield Site(port), proxies, env
    finally:
        stopped = make("production-stop", env, timeout=120)
        for each in locals().get("proxies", [proxy]):
            each.cut()
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        redis.Redis.from_url(REDIS_DB_URL).flushdb()
        assert stopped.returncode == 0, stopped.stderr


def test_make_production_refuses_without_postgresql_or_redis():
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    refused = make("production", {**env, "REDIS_URL": REDIS_DB_URL})
    assert refused.returncode != 0 and "set DATABASE_URL to PostgreSQL" in refused.stderr
    unreachable = make(
        "production", {**env, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/none", "REDIS_URL": REDIS_DB_URL}
    )
    assert unreachable.returncode != 0 and "PostgreSQL at DATABASE_URL cannot be reached" in unreachable.stderr
    no_redis = make("production", {**env, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres"})
    assert no_redis.returncode != 0 and "set REDIS_URL" in no_redis.stderr


def test_production_serves_through_nginx_survives_slow_clients_and_a_lost_database(production):
    site, proxies, env = production
    response, _ = site.request("GET", "/licenses/owpl/1.0/")
    assert response.status == 200 and response.getheader("Server") == "nginx"
    masters = [int(path.read_text()) for path in sorted(RUN_DIR.glob("app-*.pid"))]
    assert len(masters) == 2 and all(production_runner.alive(pid) for pid in masters)

    made = site.new_release("Osprey Labs")
    assert made.status == 302 and "/r/" in made.getheader("Location")
    release = "/r/" + made.getheader("Location").rstrip("/").rsplit("/r/", 1)[1]
    assert redis.Redis.from_url(REDIS_DB_URL).dbsize() > 0, "the app servers cache in Redis"
    filled = "/licenses/owpl/1.0.txt?licensor=Acme&model=M-1&year=2026"
    response, body = site.request("GET", filled)
    assert response.status == 200 and b"Copyright 2026 Acme." in body, "a query string reaches the app"

    # 40 clients trickling their headers, and one trickling a body: nginx holds them, not the workers.
    slow = [socket.create_connection(("127.0.0.1", site.port)) for _ in range(40)]
    for connection in slow:
        connection.sendall(b"GET /licenses/owpl/1.0/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    body_trickle = socket.create_connection(("127.0.0.1", site.port))
    body_trickle.sendall(
        b"POST /licenses/owpl/1.0/wizard/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\nlicensor="
    )
    try:
        answered = []
        for round_ in range(3):
            for connection in slow:
                connection.sendall(b"X-Slow: %d\r\n" % round_)
            body_trickle.sendall(b"a")
            for path in (release + "/", "/about/", "/licenses/owpl/1.0/wizard/", filled):
                answered.append(site.request("GET", path, timeout=5)[0].status)
        assert answered == [200] * len(answered)
    finally:
        for connection in (*slow, body_trickle):
            connection.close()
    huge = site.request("POST", "/licenses/owpl/1.0/wizard/", b"x" * 10, {"Content-Length": "2000000"})[0]
    assert huge.status == 413, "refused by nginx before anything is read"

    # The database goes away: what an app server has served stays served; the rest is 503.
    frozen = ["/licenses/owpl/1.0/", "/licenses/owpl/1.0.txt", "/licenses/owpl/1.0.pdf", "/definition/1.0/"]
    frozen += [release + "/", release + ".txt", "/licenses/owpl/compare/1.0...1.0/"]
    for path in frozen:
        for _ in range(6):  # reach both app servers and their workers
            assert site.request("GET", path)[0].status == 200, path
    proxies[0].cut()
    time.sleep(11)  # past the version lists' time to live, when they are read again
    assert {path: site.request("GET", path)[0].status for path in frozen} == dict.fromkeys(frozen, 200)
    down = site.new_release("Outage Labs")
    assert down.status == 503 and int(down.getheader("Retry-After")) > 0
    proxies.append(CuttableProxy(proxies[0].port))
    deadline = time.monotonic() + 30
    while (back := site.new_release("Back Again Labs")).status != 302 and time.monotonic() < deadline:
        time.sleep(1)
    assert back.status == 302, "the site recovers without a restart"

    # One publication, every app server: a version published by another process (an editor's, a
    # deployment's load_documents) is the latest on both app servers within a second, through the
    # publication counter in Redis, and nginx's export is rewritten too.
    sockets = sorted(RUN_DIR.glob("app-*.sock"))
    before = {latest_on(path) for path in sockets}
    with mock.patch.dict(os.environ, env, clear=True):
        app_env = production_runner.production_env()  # exactly what the app servers run with
    published = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PUBLISH_NEXT],
        cwd=settings.BASE_DIR, env=app_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert published.returncode == 0, published.stderr[-2000:]
    number = published.stdout.strip().splitlines()[-1]
    time.sleep(outputs.GENERATION_RECHECK + 0.2)  # the counter is read at most once a second
    after = {latest_on(path) for path in sockets}
    assert len(sockets) == 2 and before != after and after == {f"/licenses/owpl/{number}/"}, (before, after)
    response, _ = site.request("GET", "/licenses/owpl/")
    assert response.getheader("Location").endswith(f"/licenses/owpl/{number}/"), "nginx's export follows"

    # With every app server stopped (masters and workers), nginx still serves the published files.
    stopped = masters + [pid for pid in _all_pids() if _parent(pid) in masters]
    for pid in stopped:
        os.kill(pid, signal.SIGSTOP)
    try:
        served = [site.request("GET", path)[0].status for path in ("/licenses/owpl/1.0.txt", "/definition/1.0/")]
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
    assert served == [200, 200]


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def test_production_stop_ends_every_process_it_started(production):
    site, _, env = production
    pids = [int(path.read_text()) for path in RUN_DIR.glob("*.pid")]
    assert len(pids) == 3
    assert make("production-stop", env).returncode == 0
    assert not any(production_runner.alive(pid) for pid in pids)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", site.port), timeout=2)
