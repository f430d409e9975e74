"""The shared cache: REDIS_URL gives every worker and host one Redis cache (the client is installed)."""

import os

from .factories import in_a_fresh_process

# What a worker started with REDIS_URL uses as its cache; it stores a value another worker reads.
IN_A_WORKER = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.core.cache import caches
cache = caches["default"]
if sys.argv[1] == "write":
    cache.set("shared-cache-test", {"from": os.getpid()}, timeout=60)
print(json.dumps({"backend": type(cache).__name__, "value": cache.get("shared-cache-test")}))
"""


def _worker(action: str, redis_url: str) -> dict:
    return in_a_fresh_process(IN_A_WORKER, action, REDIS_URL=redis_url)


def test_workers_with_redis_url_share_one_redis_cache():
    # The suite's own database of the Redis server that runs beside PostgreSQL (see .ci/run).
    url = "redis://127.0.0.1:6379/6"
    written = _worker("write", url)
    read = _worker("read", url)
    assert written["backend"] == read["backend"] == "RedisCache"
    assert read["value"] == written["value"] and read["value"]["from"] != os.getpid()
