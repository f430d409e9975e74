"""The committed gunicorn configuration, run for real: it replaces a worker after a number of PDF
renders (each leaves native memory behind) without failing a request."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    """Start gunicorn with the committed config on a fresh SQLite database; yield (port, log path)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "OW_", "GUNICORN_"))}
    port = free_port()
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        SITE_URL=f"http://127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        OW_PDF_RENDERS_PER_WORKER="2",
    )
    for command in (["migrate", "-v0"], ["load_documents"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, check=True, capture_output=True)
    log = tmp_path / "gunicorn.log"
    command = [str(GUNICORN), "config.wsgi:application", "-c", "config/gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "info"]
    with open(log, "w") as handle:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=handle, stderr=handle, start_new_session=True)
    try:
        yield port, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def get(port: int, path: str) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
        response.read()
        return response.status


def wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("gunicorn never listened")


def test_a_worker_is_replaced_after_its_pdf_renders_and_no_request_fails(gunicorn):
    port, log = gunicorn
    wait_for_port(port)
    statuses = [get(port, f"/licenses/owpl/1.0.pdf?licensor=Acme&year=2026&model=Recycle-{i}") for i in range(7)]
    statuses += [get(port, "/licenses/owpl/1.0/")]
    assert statuses == [200] * 8
    text = log.read_text()
    booted = re.findall(r"Booting worker with pid: (\d+)", text)
    replaced = re.findall(r"Worker (\d+) rendered (\d+) PDFs: replacing it", text)
    # A limit of 2 with up to 20 % jitter (none at 2): every second render replaces the worker.
    assert len(replaced) >= 3 and all(int(count) == 2 for _, count in replaced), text
    assert len(set(booted)) >= 4 and {pid for pid, _ in replaced} <= set(booted)
