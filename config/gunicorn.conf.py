"""Gunicorn settings for Open Weights; HOST/PORT or --bind on the command line override the bind."""

import multiprocessing
import os
import random

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Pages and downloads are lookups of stored bytes: a few sync workers per core keep both cores busy.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers so native memory cannot grow without bound. Rendering a PDF is what leaves memory
# behind (about 30 KiB a render, in WeasyPrint's native libraries), so a worker is replaced after
# OW_PDF_RENDERS_PER_WORKER renders (0: never), with jitter so workers do not all restart at once.
# Lookups leave nothing, so the request count is only a distant backstop: a low one would restart
# workers every few seconds at full speed, and every restart costs latency.
max_requests = 200_000
max_requests_jitter = 20_000
pdf_renders_per_worker = int(os.environ.get("OW_PDF_RENDERS_PER_WORKER", "300"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = "warning"


def when_ready(server):
    """Import Django and WeasyPrint once in the master, after the socket is bound.

    Forked workers then share them and start fast (what preload_app does), but the port accepts
    connections from the first moment: requests wait in the listen backlog for the first worker
    instead of being refused while the imports run.
    """
    server.app.wsgi()

    from licenses.rendering import preload

    preload()


def post_fork(server, worker):
    worker.pdf_render_limit = pdf_renders_per_worker + random.randint(0, pdf_renders_per_worker // 5)


def post_request(worker, req, environ, resp):
    if not pdf_renders_per_worker:
        return
    from licenses.outputs import pdf_renders

    if pdf_renders() >= worker.pdf_render_limit and worker.alive:
        worker.log.info("Worker %s rendered %s PDFs: replacing it.", worker.pid, pdf_renders())
        worker.alive = False  # finishes this request, then exits; the master starts a fresh one
