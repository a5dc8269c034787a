"""Peak memory of a run against its length: `ccsim.simulate` of N rules episodes into a run folder.

The scenarios are generated into a JSONL file first (streamed, `generate_scenario_file`), then each size runs
in a fresh child process that loads them the way `ccsim simulate --scenarios FILE` does, lazily
(`load_scenarios(path, lazy=True)`: offsets held, records parsed on access; `--eager` loads a list instead,
for comparison), and plays them. The child reports its peak RSS (ru_maxrss) twice: after loading the scenarios
(what the caller holds) and after the run (folder, trajectories, summary, report), plus the largest worker
process's peak when episodes ran in workers. Memory is flat when the 10,000-episode peak stays within 1.5x of
the 1,000-episode one.

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
import time
from pathlib import Path


def peak_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def child(path: Path, concurrency: int, eager: bool, workers: int | None) -> None:
    import ccsim

    started = time.perf_counter()
    scenarios = ccsim.load_scenarios(path) if eager else ccsim.load_scenarios(path, lazy=True)
    after_scenarios = peak_mib()
    loaded = time.perf_counter() - started
    options = {} if workers is None else {"workers": workers}
    with tempfile.TemporaryDirectory() as folder:
        run = ccsim.simulate(
            scenarios, planner="rules", concurrency=concurrency, out=Path(folder) / "run", weave=False, **options
        )
        episodes = run.summary.episodes
    print(
        json.dumps(
            {
                "episodes": episodes,
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
            print(f"{size:>6} episodes ({'eager list' if args.eager else 'lazy file'}): peak RSS "
                  f"{result['peak_rss_mib']:.0f} MiB (after loading the scenarios "
                  f"{result['peak_rss_after_scenarios_mib']:.0f} MiB, in {result['load_seconds']:.1f} s; largest "
                  f"worker {result['peak_rss_largest_worker_mib']:.0f} MiB), {result['seconds']:.0f} s; "
                  f"load average {one:.2f}, {five:.2f}", flush=True)  # fmt: skip
    if len(results) > 1:
        ratio = results[-1]["peak_rss_mib"] / results[0]["peak_rss_mib"]
        print(f"peak RSS ratio {args.sizes[-1]} / {args.sizes[0]}: {ratio:.2f}x (flat: <= 1.5x)")


if __name__ == "__main__":
    main()
