"""`make production` and `make production-stop`: run on this machine what a deployment runs.

nginx on HOST:PORT in front of two gunicorn app servers (Unix sockets) that share DATABASE_URL
(PostgreSQL) and REDIS_URL; migrations, the canonical texts and the static export first. Everything
runs in the background with its pid in var/production/ (or OW_PRODUCTION_DIR), so `stop` ends
exactly what `start` began.

    .venv/bin/python config/production.py start     # make production
    .venv/bin/python config/production.py stop      # make production-stop
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
# Where it keeps pids, sockets, logs, the secret key and the static export. Another directory (and
# PORT, DATABASE_URL, REDIS_URL) runs a second deployment beside the first: the bench does.
RUN_DIR = Path(os.environ.get("OW_PRODUCTION_DIR") or BASE_DIR / "var" / "production").resolve()
EXPORT_DIR = RUN_DIR / "export"
APP_SERVERS = 2
PYTHON = sys.executable


def fail(message: str) -> None:
    print(f"make production: {message}", file=sys.stderr)
    sys.exit(2)


def check_services(env: dict[str, str]) -> None:
    """Refuse clearly when PostgreSQL or Redis is missing or cannot be reached."""
    database, redis_url = env.get("DATABASE_URL", ""), env.get("REDIS_URL", "")
    if not database.startswith(("postgres://", "postgresql://")):
        fail("set DATABASE_URL to PostgreSQL (postgres://user@host:5432/name): the app servers share it.")
    if not redis_url.startswith(("redis://", "rediss://")):
        fail("set REDIS_URL (redis://host:6379/0): the app servers share their cache through it.")
    import psycopg
    import redis

    try:
        psycopg.connect(database, connect_timeout=5).close()
    except psycopg.Error as error:
        fail(f"PostgreSQL at DATABASE_URL cannot be reached: {str(error).strip()}")
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        fail(f"Redis at REDIS_URL cannot be reached: {error}")


def secret_key() -> str:
    """DJANGO_SECRET_KEY, or one made once for this machine and kept (0600) in var/production/."""
    if os.environ.get("DJANGO_SECRET_KEY"):
        return os.environ["DJANGO_SECRET_KEY"]
    path = RUN_DIR / "secret_key"
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def production_env() -> dict[str, str]:
    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
    env = dict(os.environ)
    site_url = env.get("SITE_URL") or f"http://{host}:{port}"
    hosts = {urlsplit(site_url).hostname or host, host, "127.0.0.1", "localhost"}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secret_key(),
        DJANGO_ALLOWED_HOSTS=env.get("DJANGO_ALLOWED_HOSTS") or ",".join(sorted(hosts)),
        SITE_URL=site_url,
        OW_PROXY_COUNT="1",  # nginx sets X-Forwarded-For to the client's address
        OW_EXPORT_DIR=str(EXPORT_DIR),
        OW_NGINX_PID=str(RUN_DIR / "nginx.pid"),
        GUNICORN_WORKERS=env.get("GUNICORN_WORKERS", "3"),
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def pid_files() -> list[Path]:
    return [RUN_DIR / f"app-{n}.pid" for n in range(1, APP_SERVERS + 1)] + [RUN_DIR / "nginx.pid"]


def alive(pid: int) -> bool:
    """Whether a process runs: not gone, and not a zombie that its (sub)reaper has yet to collect."""
    try:
        os.kill(pid, 0)
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def running(path: Path) -> int | None:
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) else None


def wait_for_port(host: str, port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


def start() -> None:
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    os.chmod(RUN_DIR, 0o700)
    if any(running(path) for path in pid_files()):
        fail("it is running already: `make production-stop` first.")
    env = production_env()
    check_services(env)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")  # before publishing: the export links to them
    manage(env, "load_documents")
    manage(env, "export_static", str(EXPORT_DIR))
    sockets = []
    for n in range(1, APP_SERVERS + 1):
        sock = RUN_DIR / f"app-{n}.sock"
        sock.unlink(missing_ok=True)
        subprocess.run(
            [
                str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
                "config.wsgi:application",
                "-c", "config/gunicorn.conf.py",
                "--bind", f"unix:{sock}",
                "--pid", str(RUN_DIR / f"app-{n}.pid"),
                "--error-logfile", str(RUN_DIR / f"app-{n}.log"),
                "--daemon",
            ],
            cwd=BASE_DIR,
            env=env,
            check=True,
        )  # fmt: skip
        sockets.append(f"unix:{sock}")
    for sock in sockets:
        path = Path(sock.removeprefix("unix:"))
        deadline = time.monotonic() + 60
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        if not path.exists():
            stop()
            fail(f"the app server {path.name} did not start: see {path.with_suffix('.log')}")
    host, port = env.get("HOST", "127.0.0.1"), int(env.get("PORT", "8000"))
    conf = RUN_DIR / "nginx.conf"
    apps = [arg for sock in sockets for arg in ("--app", sock)]
    manage(
        env, "nginx_config", "--listen", f"{host}:{port}", *apps, "--export-dir", str(EXPORT_DIR),
        "--run-dir", str(RUN_DIR), "--access-log", str(RUN_DIR / "nginx-access.log"), "--output", str(conf),
    )  # fmt: skip
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"  # Debian's nginx-light (make system)
    subprocess.run([nginx, "-t", "-q", "-c", str(conf), "-p", str(RUN_DIR)], check=True)
    subprocess.run([nginx, "-c", str(conf), "-p", str(RUN_DIR)], check=True)
    if not wait_for_port(host, port, 30):
        stop()
        fail(f"nginx did not start listening on {host}:{port}: see {RUN_DIR / 'nginx-error.log'}")
    print(f"Open Weights (production) is served by nginx at http://{host}:{port}/ in front of "
          f"{APP_SERVERS} app servers; `make production-stop` stops it.")  # fmt: skip


def stop() -> None:
    """Stop nginx and the app servers by their pids, waiting for each to exit."""
    stopped = []
    for path in reversed(pid_files()):
        pid = running(path)
        if pid is None:
            path.unlink(missing_ok=True)
            continue
        os.kill(pid, signal.SIGQUIT if path.name == "nginx.pid" else signal.SIGTERM)  # graceful for both
        deadline = time.monotonic() + 30  # by the pid itself: gunicorn removes its pid file first
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
        path.unlink(missing_ok=True)
        stopped.append(f"{path.stem} ({pid})")
    print("Stopped " + (", ".join(stopped) if stopped else "nothing: it was not running") + ".")


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("start", "stop"):
        fail("usage: config/production.py start|stop")
    start() if sys.argv[1] == "start" else stop()
