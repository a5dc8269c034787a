"""Peak memory of a run against its length: `ccsim.simulate` of N rules episodes into a run folder.

Each size runs in a fresh child process and reports its peak RSS (ru_maxrss) twice: after generating
the scenarios (what the caller holds anyway) and after the run (folder, trajectories, summary, report).
Memory is flat when the 10,000-episode peak stays within 1.5x of the 1,000-episode one.

Usage: python benchmarks/run_memory.py [--sizes 1000 10000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def child(count: int, concurrency: int) -> None:
    import ccsim

    scenarios = ccsim.generate_scenarios(count, seed=7)
    after_scenarios = peak_mib()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        run = ccsim.simulate(scenarios, planner="rules", concurrency=concurrency, out=Path(folder) / "run", weave=False)
        episodes = run.summary.episodes
    print(
        json.dumps(
            {
                "episodes": episodes,
                "peak_rss_after_scenarios_mib": round(after_scenarios, 1),
                "peak_rss_mib": round(peak_mib(), 1),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.concurrency)
        return
    results = []
    for size in args.sizes:
        command = [sys.executable, __file__, "--child", str(size), "--concurrency", str(args.concurrency)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{size} episodes: the run failed:\n{done.stderr[-3000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"{size:>6} episodes: peak RSS {results[-1]['peak_rss_mib']:.0f} MiB "
              f"(scenarios alone {results[-1]['peak_rss_after_scenarios_mib']:.0f} MiB), "
              f"{results[-1]['seconds']:.0f} s", flush=True)  # fmt: skip
    if len(results) > 1:
        ratio = results[-1]["peak_rss_mib"] / results[0]["peak_rss_mib"]
        print(f"peak RSS ratio {args.sizes[-1]} / {args.sizes[0]}: {ratio:.2f}x (flat: <= 1.5x)")


if __name__ == "__main__":
    main()
