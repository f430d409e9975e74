"""`make bench BENCH_ARGS=--production`: the deployment as `make production` runs it, at scale.

nginx on a port of its own in front of the two gunicorn app servers, sharing a throwaway PostgreSQL
database and a Redis database (8) of their own. It measures, through nginx:

1. the release page (a different release each request) and "My releases" (signed in, 300 owned)
   with 1,000 releases in the database, then again with 1,000,000 (`manage.py fill_releases`); the
   target is a p99 within 1.2 times of the one at 1,000;
2. requests a second through nginx and both app servers, as a ratio to the same nginx in front of
   one app server alone (target: at least 1.6); on a machine of two cores both share the same
   cores, so this ratio says more about the machine than about the site: it is reported as measured.

Ratios are measured in one run, each pair back to back, as the rest of the bench does.
"""

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from unittest import mock

import redis

from config import production as production_runner

ROOT = Path(__file__).resolve().parent.parent

REDIS_URL = "redis://127.0.0.1:6379/8"
OWNER, OWNED = "bench-owner", 300
SCALES = (1_000, 1_000_000)
P99_RATIO, SCALE_OUT_RATIO = 1.2, 1.6
SESSION_SCRIPT = f"""
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.get(username={OWNER!r})
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""
RELEASE_IDS = (
    "from licenses.models import Release; "
    "print('\\n'.join(Release.objects.order_by('?').values_list('id', flat=True)[:2000]))"
)


# The bench's own helpers (bench/run.py, which runs as __main__ and hands itself in).
bench = None


def manage(env: dict, *args: str) -> str:
    completed = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800
    )
    if completed.returncode != 0:
        raise bench.BenchError(f"manage.py {args[0]} failed: {completed.stderr[-1500:]}")
    return completed.stdout


def paths_script(paths: list[str], cookie: str = "") -> str:
    """Each request another path of the list, picked at random (so each release is read cold once)."""
    listed = ", ".join(bench.lua_string(p) for p in paths)
    header = f'wrk.headers["Cookie"] = {bench.lua_string(cookie)}\n' if cookie else ""
    return (
        bench.LUA_COUNT_STATUSES
        + header
        + f"""
local paths = {{{listed}}}
math.randomseed(os.time() + (tid or 0))
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""
    )


def measure(tools, port: int, name: str, script: str, seconds: float, scratch: Path) -> dict:
    url = f"http://127.0.0.1:{port}/"
    bench.run_wrk(tools["wrk"], url, seconds=1, connections=8, headers={}, script=script, scratch=scratch)
    figures = bench.run_wrk(
        tools["wrk"], url, seconds=seconds, connections=bench.CONNECTIONS, headers={}, script=script, scratch=scratch
    )
    bad = sum(n for status, n in figures["statuses"].items() if int(status) >= 400)
    print(f"  {name}: {figures['rps']:.0f} req/s, p99 {bench.fmt(figures['p99_ms'])} ms, {bad} not 2xx/3xx")
    return {"name": name, **figures, "bad": bad}


def one_app_nginx(tools, env: dict, scratch: Path) -> tuple[int, Path]:
    """A second nginx, the same configuration with one app server only, on a port of its own."""
    port = bench.free_port()
    run_dir = scratch / "nginx-one-app"
    run_dir.mkdir(parents=True, exist_ok=True)
    conf = run_dir / "nginx.conf"
    socket = production_runner.RUN_DIR / "app-1.sock"
    manage(
        env, "nginx_config", "--listen", f"127.0.0.1:{port}", "--app", f"unix:{socket}",
        "--export-dir", str(production_runner.EXPORT_DIR), "--run-dir", str(run_dir), "--output", str(conf),
    )  # fmt: skip
    subprocess.run([tools["nginx"], "-c", str(conf), "-p", str(run_dir)], check=True)
    return port, run_dir


def run(args, tools, scratch: Path, helpers) -> int:
    global bench
    bench = helpers
    database = bench.PostgresDatabase()
    database.create()
    redis.Redis.from_url(REDIS_URL).flushdb()
    port = bench.free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SITE_URL"))}
    env.update(HOST="127.0.0.1", PORT=str(port), DATABASE_URL=database.url, REDIS_URL=REDIS_URL)
    # Every request comes from 127.0.0.1: lift the per-client limits, or the bench measures them.
    env.update(
        {name: str(10**9) for name in ("OW_RENDERS_PER_MINUTE", "OW_RELEASES_PER_MINUTE", "OW_CHECKS_PER_MINUTE")}
    )
    one_app_dir = None
    report: dict = {"mode": "production", "scales": {}}
    try:
        started = subprocess.run([sys.executable, "config/production.py", "start"], cwd=ROOT, env=env)
        if started.returncode != 0:
            raise bench.BenchError("`make production` did not start (see above).")
        # Exactly what the app servers run with (their secret key too: the session below must hold).
        with mock.patch.dict(os.environ, env, clear=True):
            app_env = production_runner.production_env()
        results = {}
        for scale in SCALES:
            print(f"Filling to {scale:,} releases ...", flush=True)
            print("  " + manage(app_env, "fill_releases", str(scale), "--throwaway", "--owner", OWNER,
                                "--owned", str(OWNED if scale == SCALES[0] else 0)).strip())  # fmt: skip
            cookie = "sessionid=" + manage(app_env, "shell", "-v", "0", "-c", SESSION_SCRIPT).strip().splitlines()[-1]
            releases = [f"/r/{pk}/" for pk in manage(app_env, "shell", "-v", "0", "-c", RELEASE_IDS).split()]
            random.shuffle(releases)
            results[scale] = {
                "release": measure(tools, port, f"release page, {scale:,} releases", paths_script(releases),
                                   args.duration, scratch),
                "mine": measure(tools, port, f"My releases ({OWNED} owned), {scale:,} releases",
                                paths_script(["/accounts/releases/"], cookie), args.duration, scratch),
            }  # fmt: skip
        report["scales"] = {str(scale): figures for scale, figures in results.items()}
        # Two app servers behind nginx against one: the same page, the same nginx configuration.
        one_port, one_app_dir = one_app_nginx(tools, app_env, scratch)
        warm = [f"/r/{pk}/" for pk in manage(app_env, "shell", "-v", "0", "-c", RELEASE_IDS).split()[:50]]
        for path in warm * 12:  # every worker of both app servers has rendered each page once
            bench.request(port, path)
        page = paths_script(warm)
        two = measure(tools, port, "release pages (50, warm), nginx + two app servers", page, args.duration, scratch)
        one = measure(tools, one_port, "release pages (50, warm), nginx + one app server", page, args.duration, scratch)
        report["scale_out"] = {"two": two, "one": one}
    finally:
        if one_app_dir is not None and (one_app_dir / "nginx.pid").exists():
            subprocess.run(
                [tools["nginx"], "-s", "stop", "-c", str(one_app_dir / "nginx.conf"), "-p", str(one_app_dir)]
            )
        subprocess.run([sys.executable, "config/production.py", "stop"], cwd=ROOT, env=env)
        database.drop()
        redis.Redis.from_url(REDIS_URL).flushdb()
    small, large = (results[scale] for scale in SCALES)
    verdicts = []
    for key in ("release", "mine"):
        ratio = large[key]["p99_ms"] / small[key]["p99_ms"] if small[key]["p99_ms"] and large[key]["p99_ms"] else None
        verdicts.append((f"{small[key]['name'].split(',')[0]}: p99 with 1M rows within {P99_RATIO}x of 1k", ratio,
                         ratio is not None and ratio <= P99_RATIO))  # fmt: skip
    ratio = two["rps"] / one["rps"] if one["rps"] else None
    verdicts.append((f"requests/s, two app servers to one: at least {SCALE_OUT_RATIO}x", ratio,
                     ratio is not None and ratio >= SCALE_OUT_RATIO))  # fmt: skip
    print("\nTargets in this run:")
    for target, measured, holds in verdicts:
        print(f"  {'holds ' if holds else 'MISSED'}  {target:<70} {bench.fmt(measured, 2)}")
    print(f"  (this machine has {os.cpu_count()} cores, shared by wrk, nginx, PostgreSQL and both app servers)")
    report["targets"] = [{"target": t, "measured": m, "holds": h} for t, m, h in verdicts]
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    errors = sum(f["bad"] + f["socket_errors"] for scale in results.values() for f in scale.values())
    errors += two["bad"] + one["bad"]
    print(f"\nResults written to {args.json}.")
    return bench.EXIT_ERRORS if errors else 0
