"""`make bench BENCH_ARGS=--production`: the deployment as `make production` runs it, at scale.

Two deployments as config/production.py starts them (nginx on a port of its own in front of two
gunicorn app servers), one on a throwaway PostgreSQL database of 1,000 releases and Redis database 8,
one on a database of 1,000,000 (`manage.py fill_releases`; 10,000 synthetic readers own the releases
in turn, so the owners grow with them) and Redis database 9, so that the scales are measured in turns
and a slower minute of a shared machine falls on both. A deployment puts each app server on a host
of its own; here they share one machine, so each is confined to its own half of the cores
(`sched_setaffinity`, the master and every worker), as if on its own host, while nginx, wrk,
PostgreSQL and Redis run anywhere: unconfined, one app server's workers already take every core and
a second could only share them. Through nginx it measures:

1. at both scales, LATENCY_CLIENTS requests at a time, the p99 of
   - the release page seen for the first time (each request another release nobody has viewed: the
     database read and the render; pooled over the rounds),
   - the release page seen before (the same 50 releases, kept in the app servers' memory), and
   - "My releases" (signed in, 300 owned, the first page of 100),
   the median of ROUNDS rounds, the scales in turns; the target is a p99 at 1M within 1.2 times of
   the one at 1k;
2. with 1,000,000 releases, requests a second of the release page seen before and of My releases
   through nginx and both app servers, as a ratio to the same nginx in front of one app server alone
   (target: at least 1.6), the two taking turns, each round in the other order, judged by the median
   of the rounds' ratios. For these runs each app server's host is also APP_HOST_CORES of a core (a
   cgroup CPU quota), so that nginx, wrk and the database have the rest, as on hosts of their own.
"""

import json
import os
import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

import redis

from config import production as production_runner

ROOT = Path(__file__).resolve().parent.parent

REDIS_URL, REDIS_URL_LARGE = "redis://127.0.0.1:6379/8", "redis://127.0.0.1:6379/9"
OWNER, OWNED, OTHER_OWNERS = "bench-owner", 300, 10_000
SCALES = (1_000, 1_000_000)
P99_RATIO, SCALE_OUT_RATIO = 1.2, 1.6
ROUNDS = 3
# First views: distinct releases per round, so ROUNDS * FIRST_VIEWS + WARM_RELEASES must fit in the
# smaller scale (1,000 releases) for every one of them to be new to the site.
FIRST_VIEWS, WARM_RELEASES = 300, 50
# p99 is measured at a load below what the app servers can take (4 requests at a time, 6 workers), so
# that it is the pages' own latency, not the length of a queue; requests/s at CONNECTIONS (saturated).
LATENCY_CLIENTS = 4
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
VIEWED = ROUNDS * FIRST_VIEWS + WARM_RELEASES
RELEASE_IDS = (
    "from licenses.models import Release; "
    f"print('\\n'.join(Release.objects.order_by('?').values_list('id', flat=True)[:{VIEWED * 2}]))"
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
    """Each request another path of the list, picked at random."""
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


def measure(tools, port: int, name: str, script: str, seconds: float, scratch: Path, connections: int) -> dict:
    url = f"http://127.0.0.1:{port}/"
    figures = bench.run_wrk(
        tools["wrk"], url, seconds=seconds, connections=connections, headers={}, script=script, scratch=scratch
    )
    bad = sum(n for status, n in figures["statuses"].items() if int(status) >= 400)
    print(f"  {name}: {figures['rps']:.0f} req/s, p99 {bench.fmt(figures['p99_ms'])} ms, {bad} not 2xx/3xx")
    return {"name": name, **figures, "bad": bad}


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pids: list[int]) -> float:
    """CPU seconds (user and system) the processes have used so far; one that has gone counts nothing."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15 of proc(5)
    return ticks / CLOCK_TICKS


def machine_cpu() -> dict[str, float]:
    """CPU seconds of all cores so far (/proc/stat): busy, idle (with iowait) and stolen by the host."""
    user, nice, system, idle, iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return {"busy": (user + nice + system + irq + softirq) / CLOCK_TICKS, "idle": (idle + iowait) / CLOCK_TICKS,
            "stolen": steal / CLOCK_TICKS}  # fmt: skip


def server_pids(run_dir: Path, names: list[str]) -> list[int]:
    """The processes of the servers whose pid files are in run_dir (masters and their workers)."""
    pids = []
    for name in names:
        master = int((run_dir / f"{name}.pid").read_text())
        pids += [master, *bench.worker_pids(master)]
    return pids


def wait_until_idle(pids: list[int], timeout: float = 60.0) -> None:
    """Wait until the app servers have answered what an earlier run left them. nginx hands every request
    it was given to an app server, so after 32 connections of My releases against one app server its
    workers answer queued requests, whose clients have gone, for a second or more: the next run would
    start behind them (seen as a p99 near a second and fewer requests/s in the run that followed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = process_cpu(pids)
        time.sleep(0.5)
        if process_cpu(pids) - before <= 0.02:  # under 4% of a core: the masters' heartbeat, no request
            return
    print(f"  the app servers were still busy after {timeout:.0f} s; measuring anyway", file=sys.stderr)


def measure_cpu(tools, port: int, name: str, script: str, seconds: float, scratch: Path, connections: int,
                apps: tuple[Path, list[str]], nginx: tuple[Path, list[str]]) -> dict:  # fmt: skip
    """measure(), and where the machine's CPU went meanwhile: the app servers, nginx, wrk (a child of this
    process), the rest (PostgreSQL, Redis, this bench), idle and stolen; in core-seconds."""
    import resource

    def wrk_cpu() -> float:
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        return used.ru_utime + used.ru_stime

    apps, nginx = server_pids(*apps), server_pids(*nginx)  # read now: every worker has started
    before = (process_cpu(apps), process_cpu(nginx), wrk_cpu(), machine_cpu())
    figures = measure(tools, port, name, script, seconds, scratch, connections)
    after = (process_cpu(apps), process_cpu(nginx), wrk_cpu(), machine_cpu())
    cpu = {part: after[n] - before[n] for n, part in enumerate(("app servers", "nginx", "wrk"))}
    machine = {key: after[3][key] - before[3][key] for key in after[3]}
    cpu["rest"] = max(0.0, machine["busy"] - sum(cpu.values()))
    cpu.update(idle=machine["idle"], stolen=machine["stolen"])
    return {**figures, "cpu": cpu}


def cpu_ceiling(two: dict, one: dict, app_cores: float | None = None) -> dict:
    """The most two app servers could give on this machine, as a ratio to one, at the CPU per request
    measured with two: every core-second not idle already, divided by what one request costs; and,
    when the app servers have a quota (app_cores between them), no more than that quota's requests.

    Without quotas the app servers share the cores with nginx, wrk and the database, so for a page that
    costs an app server well under a millisecond the ceiling can be below the target however well the
    site scales."""
    cpu = two["cpu"]
    total = sum(cpu.values())
    busy = total - cpu["idle"] - cpu["stolen"]
    shares = {part: seconds / total for part, seconds in cpu.items()} if total else {}
    if not (busy and one["rps"]):
        return {"shares": shares, "ratio": None}
    ceiling = two["rps"] * (total - cpu["stolen"]) / busy
    if app_cores and cpu["app servers"]:
        seconds = total / os.cpu_count()  # wall-clock seconds measured
        ceiling = min(ceiling, two["rps"] * app_cores * seconds / cpu["app servers"])
    return {"shares": shares, "ratio": ceiling / one["rps"]}


def first_views(port: int, name: str, paths: list[str]) -> dict:
    """Request each path once, LATENCY_CLIENTS at a time; return every latency (ms) and the failures.

    wrk cannot stop after a list is done, and a release requested twice is no longer a first view, so
    these go through Python clients: a few threads, their cost the same at both scales."""

    def one(path: str) -> tuple[float, int]:
        started = time.perf_counter()
        try:
            status = bench.request(port, path, timeout=60)[0]
        except OSError:
            status = 0
        return (time.perf_counter() - started) * 1000, status

    started = time.perf_counter()
    with ThreadPoolExecutor(LATENCY_CLIENTS) as pool:
        answers = list(pool.map(one, paths))
    seconds = time.perf_counter() - started
    latencies = [ms for ms, _ in answers]
    bad = sum(1 for _, status in answers if not 200 <= status < 400)
    print(f"  {name}: {len(paths) / seconds:.0f} req/s, p99 {bench.fmt(p99(latencies))} ms, {bad} not 2xx/3xx")
    return {"name": name, "latencies_ms": latencies, "bad": bad, "socket_errors": 0}


def p99(latencies: list[float]) -> float | None:
    """The 99th percentile (nearest rank) of a list of latencies."""
    if not latencies:
        return None
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, max(0, round(0.99 * len(ordered)) - 1))]


def pin_app_servers(run_dir: Path) -> dict[str, list[int]]:
    """Confine each app server (master and workers, every thread) to its own half of the cores.

    A worker started later (recycled) is forked from its master and inherits the master's cores."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < production_runner.APP_SERVERS:
        return {}
    share = len(cores) // production_runner.APP_SERVERS
    pinned = {}
    for n in range(1, production_runner.APP_SERVERS + 1):
        mine = cores[(n - 1) * share : n * share]
        master = int((run_dir / f"app-{n}.pid").read_text())
        for pid in [master, *bench.worker_pids(master)]:
            for task in Path(f"/proc/{pid}/task").iterdir():
                os.sched_setaffinity(int(task.name), mine)
        pinned[f"app-{n}"] = mine
    return pinned


# In the runs of two app servers against one, each app server's host is this much of a core (a cgroup's
# CPU quota), so that nginx, wrk, PostgreSQL and Redis, on hosts of their own in a deployment, have the
# rest of the machine and the ratio is the site's and not what the proxy and the clients leave over.
APP_HOST_CORES = 0.5
CGROUP_CPU_PERIOD_US = 10_000  # short, so that a worker out of quota waits at most a few milliseconds


def cgroup_cpu_root() -> tuple[Path, int] | None:
    """Where this machine lets a CPU quota be set: (directory, cgroup version), or None."""
    controllers = Path("/sys/fs/cgroup/cgroup.controllers")
    if controllers.exists() and "cpu" in controllers.read_text().split() and os.access(controllers.parent, os.W_OK):
        return controllers.parent, 2
    legacy = Path("/sys/fs/cgroup/cpu")
    if (legacy / "cpu.cfs_quota_us").exists() and os.access(legacy, os.W_OK):
        return legacy, 1
    return None


def cap_app_servers(run_dir: Path, cores: float) -> list[Path]:
    """Put each app server (master and workers, every thread) in a cgroup of its own with `cores` of CPU
    time; workers forked later stay in it. Returns the groups made ([] where cgroups cannot be written)."""
    found = cgroup_cpu_root()
    if found is None:
        return []
    root, version = found
    quota = int(CGROUP_CPU_PERIOD_US * cores)
    groups = []
    for n in range(1, production_runner.APP_SERVERS + 1):
        group = root / f"open-weights-bench-{os.getpid()}-{run_dir.name}-app-{n}"
        group.mkdir(exist_ok=True)
        groups.append(group)
        pids = server_pids(run_dir, [f"app-{n}"])
        if version == 2:
            (group / "cpu.max").write_text(f"{quota} {CGROUP_CPU_PERIOD_US}")
            for pid in pids:
                (group / "cgroup.procs").write_text(str(pid))
        else:
            (group / "cpu.cfs_period_us").write_text(str(CGROUP_CPU_PERIOD_US))
            (group / "cpu.cfs_quota_us").write_text(str(quota))
            for pid in pids:
                for task in Path(f"/proc/{pid}/task").iterdir():
                    (group / "tasks").write_text(task.name)
    return groups


def remove_groups(groups: list[Path]) -> None:
    """Remove the cgroups once their processes have exited (a cgroup with tasks cannot be removed)."""
    for group in groups:
        deadline = time.monotonic() + 30
        while group.exists():
            try:
                group.rmdir()
            except OSError:
                if time.monotonic() > deadline:
                    print(f"  could not remove {group}: it still has processes", file=sys.stderr)
                    break
                time.sleep(0.2)


SCENARIOS = (("first", "release page, first view"), ("warm", "release page, seen before"), ("mine", "My releases"))


def targets(small: dict, large: dict, scale_out: dict) -> list[tuple[str, float | None, bool]]:
    """Judge a run: (target, measured ratio, holds) for each scenario's p99 at the larger scale
    against the smaller, and for each page's requests/s with two app servers against one
    (scale_out: {scenario: [(requests/s with two, with one) of each round]}).

    Two against one is the median of each round's ratio: the two runs of a round follow each other,
    so a slower minute of the machine falls on both, while a ratio of the medians would pair the two
    of one round with the one of another."""
    verdicts = []
    for key, label in SCENARIOS:
        before, after = small[key]["p99_ms"], large[key]["p99_ms"]
        ratio = after / before if before and after else None
        verdicts.append((f"{label}: p99 with 1M rows within {P99_RATIO}x of 1k "
                         f"({bench.fmt(before)} -> {bench.fmt(after)} ms)", ratio,
                         ratio is not None and ratio <= P99_RATIO))  # fmt: skip
    labels = dict(SCENARIOS)
    for key, rounds in scale_out.items():
        ratios = [two / one for two, one in rounds if two and one]
        ratio = median(ratios) if ratios else None
        two_rps, one_rps = (median([pair[n] for pair in rounds]) for n in (0, 1))
        verdicts.append((f"{labels[key]}: requests/s, two app servers to one, at least {SCALE_OUT_RATIO}x "
                         f"({bench.fmt(one_rps, 0)} -> {bench.fmt(two_rps, 0)} req/s)", ratio,
                         ratio is not None and ratio >= SCALE_OUT_RATIO))  # fmt: skip
    return verdicts


def settle(database) -> None:
    """After a fill, write PostgreSQL's dirty buffers out and wait (at most a minute) until the disks
    are quiet: a million new rows are a gigabyte to write back, and measuring while the checkpointer
    writes it measures the disk, at one scale and not the other."""
    database._execute("CHECKPOINT")
    os.sync()
    deadline, quiet = time.monotonic() + 60, 0
    written = disk_writes()
    while time.monotonic() < deadline and quiet < 3:
        time.sleep(1)
        now = disk_writes()
        quiet = quiet + 1 if now - written < 2048 else 0  # under 1 MiB a second (512-byte sectors)
        written = now


def disk_writes() -> int:
    """Sectors written so far, summed over the whole disks (/proc/diskstats)."""
    total = 0
    for line in Path("/proc/diskstats").read_text().splitlines():
        fields = line.split()
        name = fields[2] if len(fields) > 9 else ""
        if name and Path(f"/sys/block/{name}").exists() and not name.startswith(("loop", "ram", "zram")):
            total += int(fields[9])
    return total


def median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def one_app_nginx(tools, deployment: "Deployment", scratch: Path) -> tuple[int, Path]:
    """Another nginx, the same configuration with the deployment's first app server only, on a port of its own."""
    port = bench.free_port()
    run_dir = scratch / "nginx-one-app"
    run_dir.mkdir(parents=True, exist_ok=True)
    conf = run_dir / "nginx.conf"
    socket = deployment.run_dir / "app-1.sock"
    manage(
        deployment.app_env, "nginx_config", "--listen", f"127.0.0.1:{port}", "--app", f"unix:{socket}",
        "--export-dir", str(deployment.run_dir / "export"), "--run-dir", str(run_dir), "--output", str(conf),
    )  # fmt: skip
    subprocess.run([tools["nginx"], "-c", str(conf), "-p", str(run_dir)], check=True)
    return port, run_dir


class Deployment:
    """What `make production` starts (config/production.py), in a directory, on a port, a database and
    a Redis database of its own: one for each scale, so that the scales can be measured in turns."""

    def __init__(self, name: str, run_dir: Path, redis_url: str, secret: str):
        self.name, self.run_dir, self.redis_url = name, run_dir, redis_url
        self.database = bench.PostgresDatabase()
        self.port = bench.free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SITE_URL"))}
        env.update(HOST="127.0.0.1", PORT=str(self.port), DATABASE_URL=self.database.url, REDIS_URL=redis_url)
        env.update(OW_PRODUCTION_DIR=str(run_dir), DJANGO_SECRET_KEY=secret)
        # Every request comes from 127.0.0.1: lift the per-client limits, or the bench measures them.
        limits = ("OW_RENDERS_PER_MINUTE", "OW_RELEASES_PER_MINUTE", "OW_CHECKS_PER_MINUTE")
        env.update({limit: str(10**9) for limit in limits})
        self.env = env
        # Exactly what the app servers run with (their secret key too: the sessions made here must hold).
        with mock.patch.dict(os.environ, env, clear=True):
            self.app_env = production_runner.production_env()
        self.app_env.update(OW_EXPORT_DIR=str(run_dir / "export"), OW_NGINX_PID=str(run_dir / "nginx.pid"))

    def start(self) -> None:
        self.database.create()
        redis.Redis.from_url(self.redis_url).flushdb()
        started = subprocess.run([sys.executable, "config/production.py", "start"], cwd=ROOT, env=self.env)
        if started.returncode != 0:
            raise bench.BenchError(f"`make production` ({self.name}) did not start (see above).")

    def stop(self) -> None:
        subprocess.run([sys.executable, "config/production.py", "stop"], cwd=ROOT, env=self.env)
        self.database.drop()
        redis.Redis.from_url(self.redis_url).flushdb()

    def fill(self, count: int, owned: int) -> None:
        print(f"Filling the database of the deployment for {self.name} to {count:,} ...", flush=True)
        made = manage(self.app_env, "fill_releases", str(count), "--throwaway", "--owner", OWNER,
                      "--owned", str(owned), "--others", str(OTHER_OWNERS))  # fmt: skip
        print("  " + made.strip())

    def prepare(self, viewed: set[str]) -> None:
        """A signed-in reader's cookie, the releases to view (none viewed before), and warm workers."""
        self.cookie = "sessionid=" + manage(self.app_env, "shell", "-v", "0", "-c", SESSION_SCRIPT).split()[-1]
        ids = [pk for pk in manage(self.app_env, "shell", "-v", "0", "-c", RELEASE_IDS).split() if pk not in viewed]
        if len(ids) < VIEWED:
            raise bench.BenchError(f"Only {len(ids)} releases not viewed yet in {self.name}; {VIEWED} needed.")
        random.shuffle(ids)
        ids = ids[:VIEWED]
        viewed.update(ids)
        self.warm = [f"/r/{pk}/" for pk in ids[:WARM_RELEASES]]
        self.new = [f"/r/{pk}/" for pk in ids[WARM_RELEASES:]]
        self.scripts = {"warm": paths_script(self.warm), "mine": paths_script(["/accounts/releases/"], self.cookie)}
        # Every worker of both app servers has served the warm pages and My releases before measuring.
        for path in self.warm * 12:
            bench.request(self.port, path)
        for _ in range(12):
            bench.request(self.port, "/accounts/releases/", headers={"Cookie": self.cookie})


def run(args, tools, scratch: Path, helpers) -> int:
    global bench
    bench = helpers
    secret = os.urandom(32).hex()
    small = Deployment(f"{SCALES[0]:,} releases", production_runner.RUN_DIR, REDIS_URL, secret)
    large = Deployment(f"{SCALES[1]:,} releases", scratch / "production-large", REDIS_URL_LARGE, secret)
    deployments = {SCALES[0]: small, SCALES[1]: large}
    one_app_dir, groups = None, []
    report: dict = {"mode": "production", "rounds": ROUNDS, "scales": {}}
    try:
        for deployment in deployments.values():
            deployment.start()
        small.fill(SCALES[0], OWNED)
        large.fill(SCALES[0], OWNED)  # the same first thousand, then the rest
        large.fill(SCALES[1], 0)
        settle(large.database)
        report["cores"] = {}
        for deployment in deployments.values():
            pinned = report["cores"][deployment.name] = pin_app_servers(deployment.run_dir)
        print("Each app server on cores of its own: " + (", ".join(f"{a} on {c}" for a, c in pinned.items()) or
                                                          "no (fewer cores than app servers)"))  # fmt: skip
        viewed: set[str] = set()
        for deployment in deployments.values():
            deployment.prepare(viewed)
        rounds = {scale: {"first": [], "warm": [], "mine": []} for scale in SCALES}
        for n in range(ROUNDS):
            # The scales take turns, in the other order each round, so that a slower minute of a shared
            # machine falls on both.
            for scale in SCALES if n % 2 == 0 else reversed(SCALES):
                deployment = deployments[scale]
                print(f" round {n + 1} of {ROUNDS}, {deployment.name}")
                views = deployment.new[n * FIRST_VIEWS : (n + 1) * FIRST_VIEWS]
                rounds[scale]["first"].append(first_views(deployment.port, "release page, first view", views))
                for key, name in (("warm", "release page, seen before"), ("mine", "My releases")):
                    script = deployment.scripts[key]
                    figures = measure(tools, deployment.port, name, script, args.duration, scratch, LATENCY_CLIENTS)
                    rounds[scale][key].append(figures)
        results = {}
        for scale, runs in rounds.items():
            latencies = [ms for one in runs["first"] for ms in one["latencies_ms"]]
            results[scale] = {
                "first": {"p99_ms": p99(latencies), "requests": len(latencies), "rounds": runs["first"]},
                "warm": {"p99_ms": median([r["p99_ms"] for r in runs["warm"]]), "rounds": runs["warm"]},
                "mine": {"p99_ms": median([r["p99_ms"] for r in runs["mine"]]), "rounds": runs["mine"]},
            }
        report["scales"] = {str(scale): figures for scale, figures in results.items()}
        small.stop()
        # Two app servers behind nginx against one, with a million releases: the same pages, the same
        # nginx configuration, taking turns.
        one_port, one_app_dir = one_app_nginx(tools, large, scratch)
        groups = cap_app_servers(large.run_dir, APP_HOST_CORES)
        app_cores = APP_HOST_CORES * production_runner.APP_SERVERS if groups else None
        report["app_host_cores"] = APP_HOST_CORES if groups else None
        print(f"Each app server's host: {APP_HOST_CORES} of a core (a cgroup's CPU quota)" if groups else
              "No cgroup can be written here: the app servers share the cores with nginx and wrk")  # fmt: skip
        apps = [f"app-{n}" for n in range(1, production_runner.APP_SERVERS + 1)]
        two_apps, two_nginx = (large.run_dir, apps), (large.run_dir, ["nginx"])
        one_app, one_nginx = (large.run_dir, apps[:1]), (one_app_dir, ["nginx"])
        pages = {"warm": "release page, seen before", "mine": "My releases"}
        scale_out = {key: {"two": [], "one": []} for key in pages}
        every_app = server_pids(*two_apps)
        for n in range(ROUNDS):
            print(f" round {n + 1} of {ROUNDS}, two app servers against one ({large.name})")
            for key, label in pages.items():
                turns = (("two", large.port, two_apps, two_nginx), ("one", one_port, one_app, one_nginx))
                for servers, at, apps, nginx in turns if n % 2 == 0 else turns[::-1]:
                    name = f"{label}, nginx + {servers} app server{'s' if servers == 'two' else ''}"
                    wait_until_idle(every_app)
                    figures = measure_cpu(tools, at, name, large.scripts[key], args.duration, scratch,
                                          bench.CONNECTIONS, apps, nginx)  # fmt: skip
                    scale_out[key][servers].append(figures)
        report["scale_out"] = scale_out
    finally:
        if one_app_dir is not None and (one_app_dir / "nginx.pid").exists():
            subprocess.run(
                [tools["nginx"], "-s", "stop", "-c", str(one_app_dir / "nginx.conf"), "-p", str(one_app_dir)]
            )
        for deployment in deployments.values():
            deployment.stop()
        remove_groups(groups)
    rps = {key: [(two["rps"], one["rps"]) for two, one in zip(runs["two"], runs["one"], strict=True)]
           for key, runs in scale_out.items()}  # fmt: skip
    verdicts = targets(results[SCALES[0]], results[SCALES[-1]], rps)
    print(f"\nTargets in this run (medians of {ROUNDS} rounds; first views pooled; two against one round by round):")
    for target, measured, holds in verdicts:
        print(f"  {'holds ' if holds else 'MISSED'}  {target:<96} {bench.fmt(measured, 3)}")
    hosts = f"each app server {APP_HOST_CORES} of a core" if app_cores else "the app servers share them"
    print(f"  (this machine has {os.cpu_count()} cores; wrk, nginx, PostgreSQL and Redis share them; "
          f"for requests/s {hosts})")  # fmt: skip
    report["cpu_ceilings"] = {}
    print("\nThe machine's anchor for two app servers against one (the CPU of the runs with two, medians):")
    for key, runs in scale_out.items():
        ceilings = [cpu_ceiling(two, one, app_cores) for two, one in zip(runs["two"], runs["one"], strict=True)]
        ceiling = median([c["ratio"] for c in ceilings])
        shares = {part: median([c["shares"].get(part) for c in ceilings]) for part in runs["two"][0]["cpu"]}
        report["cpu_ceilings"][key] = {"ratio": ceiling, "shares": shares}
        spent = ", ".join(f"{part} {bench.fmt(100 * share, 0)}%" for part, share in shares.items())
        print(f"  {dict(SCENARIOS)[key]}: {spent}; at most {bench.fmt(ceiling, 2)}x on this machine")
    report["targets"] = [{"target": t, "measured": m, "holds": h} for t, m, h in verdicts]
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    measured = [r for scale in results.values() for figures in scale.values() for r in figures["rounds"]]
    measured += [r for runs in scale_out.values() for r in runs["two"] + runs["one"]]
    errors = sum(r["bad"] + r["socket_errors"] for r in measured)
    print(f"\nResults written to {args.json}.")
    return bench.EXIT_ERRORS if errors else 0
