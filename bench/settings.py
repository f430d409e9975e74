"""Settings for `make bench`: the production settings as configured by the environment, plus the
ceiling view's URLs (bench/urls.py) and a throwaway STATIC_ROOT chosen by bench/run.py."""

import os
from pathlib import Path

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
