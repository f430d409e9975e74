"""Gunicorn settings for Open Weights; HOST/PORT or --bind on the command line override the bind."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Pages and downloads are lookups of stored bytes: a few sync workers per core keep both cores busy.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak in a C library cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
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
