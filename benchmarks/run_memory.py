"""Peak memory of a run against its length: `ccsim.simulate` of N rules episodes into a run folder.

The scenarios are generated into a JSONL file first (streamed, `generate_scenario_file`), then each size runs
in a fresh child process that loads them the way `ccsim simulate --scenarios FILE` does, lazily
(`load_scenarios(path, lazy=True)`: offsets held, records parsed on access; `--eager` loads a list instead,
for comparison), and plays them.

What "peak memory of a run" means here: the largest total PSS (proportional set size) of the run's processes,
the caller and its worker processes together, sampled every 0.1 s from /proc/PID/smaps_rollup. PSS splits a
page shared by several processes between them, so a forked worker's pages that are still its parent's (the
imported libraries) count once in the total, not once per process as RSS would; the sum is the memory the
run takes from the machine. Sampling can miss a peak shorter than 0.1 s; the caller's own peak RSS (ru_maxrss,
exact) and the largest worker's are printed beside it. The caller's PSS before the run (its scenarios loaded)
is the baseline the run adds to. Memory is flat when the 10,000-episode peak stays within 1.5x of the
1,000-episode one.

Usage: python benchmarks/run_memory.py [--sizes 1000 10000] [--concurrency 16] [--eager] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any


def peak_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def _tree(pid: int) -> list[int]:
    """`pid` and every process below it."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    queue.extend(int(child) for child in handle.read().split())
        except OSError:
            continue  # it ended meanwhile
    return found


def pss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                total += next(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return total / 1024


class PeakPss:
    """The largest total PSS of this process and its children, sampled on a thread while the block runs."""

    def __init__(self, interval_s: float = 0.1) -> None:
        self.interval_s = interval_s
        self.peak_mib = 0.0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            pids = _tree(os.getpid())
            total = pss_mib(pids)
            if total > self.peak_mib:
                self.peak_mib, self.peak_processes = total, len(pids)
            if self._stop.wait(self.interval_s):
                return

    def __enter__(self) -> PeakPss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def child(path: Path, concurrency: int, eager: bool, workers: int | None) -> None:
    import ccsim

    started = time.perf_counter()
    scenarios = ccsim.load_scenarios(path) if eager else ccsim.load_scenarios(path, lazy=True)
    after_scenarios = peak_mib()
    before_run = pss_mib([os.getpid()])
    loaded = time.perf_counter() - started
    options: dict[str, Any] = {} if workers is None else {"workers": workers}
    with tempfile.TemporaryDirectory() as folder, PeakPss() as sampled:
        run = ccsim.simulate(
            scenarios, planner="rules", concurrency=concurrency, out=Path(folder) / "run", weave=False, **options
        )
        episodes = run.summary.episodes
    print(
        json.dumps(
            {
                "episodes": episodes,
                "peak_pss_mib": round(sampled.peak_mib, 1),
                "processes_at_peak": sampled.peak_processes,
                "pss_before_run_mib": round(before_run, 1),
                "peak_rss_after_scenarios_mib": round(after_scenarios, 1),
                "peak_rss_mib": round(peak_mib(), 1),
                "peak_rss_largest_worker_mib": round(peak_mib(resource.RUSAGE_CHILDREN), 1),
                "load_seconds": round(loaded, 1),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--eager", action="store_true", help="load the scenarios into a list (the old way)")
    parser.add_argument("--workers", type=int, help="simulate's workers (default: its own default)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.concurrency, args.eager, args.workers)
        return
    import ccsim.api.scenario_sets as scenario_sets

    results = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            path = Path(folder) / f"scenarios-{size}.jsonl"
            scenario_sets.generate_scenario_file(path, size, seed=7)
            command = [sys.executable, __file__, "--child", str(path), "--concurrency", str(args.concurrency)]
            command += ["--eager"] if args.eager else []
            command += ["--workers", str(args.workers)] if args.workers is not None else []
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                sys.exit(f"{size} episodes: the run failed:\n{done.stderr[-3000:]}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            results.append(result)
            one, five, _ = os.getloadavg()
            print(f"{size:>6} episodes ({'eager list' if args.eager else 'lazy file'}): peak PSS of the run "
                  f"{result['peak_pss_mib']:.0f} MiB over {result['processes_at_peak']} process(es) (caller before "
                  f"the run {result['pss_before_run_mib']:.0f} MiB); caller's peak RSS {result['peak_rss_mib']:.0f} "
                  f"MiB (after loading the scenarios {result['peak_rss_after_scenarios_mib']:.0f} MiB, in "
                  f"{result['load_seconds']:.1f} s), largest worker's {result['peak_rss_largest_worker_mib']:.0f} "
                  f"MiB; {result['seconds']:.0f} s; load average {one:.2f}, {five:.2f}", flush=True)  # fmt: skip
    if len(results) > 1:
        first, last = results[0], results[-1]
        pss = last["peak_pss_mib"] / first["peak_pss_mib"]
        rss = last["peak_rss_mib"] / first["peak_rss_mib"]
        print(f"peak PSS ratio {args.sizes[-1]} / {args.sizes[0]}: {pss:.2f}x (flat: <= 1.5x); "
              f"caller's peak RSS ratio {rss:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
