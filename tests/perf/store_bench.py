"""The store benchmark at a million clients (issue: foundation).

    python -m tests.perf.store_bench DIR [--clients N] [--rebuild]

Prints: demo generation rate; open time; search latency p50/p95 (count plus the
first page of 200 rows sorted by name) for a 2-character name, a village name,
a phone's last 4 digits and two tags combined; peak RSS of a separate headless
open-and-search process. Targets: search p95 <= 50 ms, tag filter p95 <= 100 ms,
open <= 1 s, RSS <= 300 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from app.store.config import DB_FILENAME, Settings

TARGETS = {"name2": 50, "village": 50, "phone4": 50, "tags2": 100}


def build(folder: Path, n: int, rebuild: bool) -> dict:
    from app.services.demo import create_demo

    settings = Settings.load(folder)
    if (folder / DB_FILENAME).exists() and settings.demo and not rebuild:
        meta = json.loads((folder / "bench-build.json").read_text()) if (folder / "bench-build.json").exists() else {}
        if meta.get("clients") == n:
            return meta
    result = create_demo(folder, n_clients=n)
    meta = {
        "clients": result.clients,
        "seconds": round(result.seconds, 1),
        "rate": round(result.rate),
        "file_mb": round(result.file_bytes / 1e6, 1),
    }
    (folder / "bench-build.json").write_text(json.dumps(meta))
    return meta


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def peak_rss_mb() -> float:
    """This process's peak resident set size, in MB.

    Linux keeps ``ru_maxrss`` across fork and exec, so a benchmark child started
    by a parent that has just built a million clients would report the parent's
    peak; ``VmHWM`` belongs to the process's own memory map and starts afresh at exec.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def search_bench(folder: Path, rounds: int = 40, seed: int = 1) -> dict:
    """Runs in its own process (for a clean peak RSS)."""
    from app.store.clients import ClientRepository
    from app.store.search import ClientFilter
    from app.store.store import Store

    t0 = time.perf_counter()
    store = Store.open(folder)
    db = store.connect(readonly=True)
    repo = ClientRepository(db)
    first = repo.page(ClientFilter(), limit=200)
    open_s = time.perf_counter() - t0
    assert len(first) == 200

    rng = random.Random(seed)
    c = db.conn
    sample = [r for r in c.execute("SELECT name, mobile FROM clients WHERE id % 997 = 0")]
    names2 = sorted({n for n, _ in sample if len(n) == 2})
    phones = [m for _, m in sample if m]
    villages = [r[0] for r in c.execute("SELECT name FROM villages")]
    tag_ids = [
        r[0]
        for r in c.execute(
            "SELECT tag_id FROM client_tags WHERE client_id % 101 = 0 GROUP BY tag_id ORDER BY count(*) DESC LIMIT 12"
        )
    ]
    queries = {
        "name2": [ClientFilter(text=rng.choice(names2)) for _ in range(rounds)],
        "village": [ClientFilter(text=rng.choice(villages)) for _ in range(rounds)],
        "phone4": [ClientFilter(text=rng.choice(phones)[-4:]) for _ in range(rounds)],
        "tags2": [ClientFilter(tags_all=tuple(rng.sample(tag_ids, 2))) for _ in range(rounds)],
    }
    out: dict = {"open_s": round(open_s, 3)}
    for kind, filters in queries.items():
        times, counts = [], []
        for f in filters:
            t = time.perf_counter()
            n = repo.count(f)
            repo.page(f, sort="name", limit=200, total=n)
            times.append((time.perf_counter() - t) * 1000)
            counts.append(n)
        out[kind] = {
            "p50_ms": round(_pct(times, 50), 1),
            "p95_ms": round(_pct(times, 95), 1),
            "max_ms": round(max(times), 1),
            "median_hits": int(statistics.median(counts)),
        }
    db.close()
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def run(folder: Path, n: int, rebuild: bool = False) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    built = build(folder, n, rebuild)
    proc = subprocess.run(
        [sys.executable, "-m", "tests.perf.store_bench", str(folder), "--search-only"],
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"build": built, **measured}


def report(r: dict) -> str:
    b = r["build"]
    lines = [
        f"clients: {b['clients']:,}  file: {b['file_mb']} MB",
        f"demo generation: {b['seconds']} s = {b['rate']:,} clients/s (target: 1,000,000 in < 180 s)",
        f"open (to first 200 rows): {r['open_s'] * 1000:.0f} ms (target <= 1000 ms)",
    ]
    for kind, label in (
        ("name2", "2-char name"),
        ("village", "village name"),
        ("phone4", "phone last 4"),
        ("tags2", "two tags combined"),
    ):
        s = r[kind]
        lines.append(
            f"search {label:<18} p50 {s['p50_ms']:>6} ms  p95 {s['p95_ms']:>6} ms  max {s['max_ms']:>6} ms"
            f"  (median hits {s['median_hits']:,}; target p95 <= {TARGETS[kind]} ms)"
        )
    lines.append(f"peak RSS, headless open-and-search: {r['peak_rss_mb']} MB (target <= 300 MB)")
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--clients", type=int, default=1_000_000)
    p.add_argument("--rebuild", action="store_true")
    p.add_argument("--search-only", action="store_true")
    a = p.parse_args()
    if a.search_only:
        print(json.dumps(search_bench(Path(a.dir))))
        return
    r = run(Path(a.dir), a.clients, a.rebuild)
    print(report(r))


if __name__ == "__main__":
    main()
