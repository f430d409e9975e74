#!/usr/bin/env python3
"""The bench's machine anchor for cold PDFs: the same renders with no HTTP, no request, no cache.

`bench/run.py` starts one with the server's environment while gunicorn is idle. It renders OWPL 1.0
filled with a model name never used before, through the same function the query endpoint calls,
COUNT times after one warm-up render, and prints one JSON line: the milliseconds of each render. Its
p50 is what this machine takes for one render with nothing else to do: the least a cold PDF can take.

    python bench/render_alone.py COUNT
"""

import json
import os
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def main() -> int:
    import django

    django.setup()
    from licenses import fields, outputs
    from licenses.models import Version

    count = int(sys.argv[1])
    version = Version.objects.get(document__slug="owpl", number="1.0")
    url = outputs.absolute(version.get_absolute_url())
    token = secrets.token_hex(4)
    timings = []
    for n in range(count + 1):
        values = fields.canonical(version.fields, {"licensor": "Acme", "year": "2026", "model": f"Alone-{token}-{n}"})
        started = time.perf_counter()
        outputs.render(version, "pdf", values, url=url)
        if n:  # the first render of a process also loads fonts and warms caches
            timings.append(round((time.perf_counter() - started) * 1000, 2))
    print(json.dumps({"render_ms": timings}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
