"""Benchmark: the built-in trainer in this process vs its episodes in worker processes (`--workers N`), side by side.

Prints (1) what shipping the current weights costs: a rollout job pickled with the whole policy, as a reference
to the phase's weights file, and writing that file once per phase; (2) the training wall time of the same
config in one process and with each worker count, with the ratio, and whether the weights came out identical.

    .venv/bin/python benchmarks/builtin_training_workers.py                  # the default config, 1 vs 2 workers
    .venv/bin/python benchmarks/builtin_training_workers.py --steps 10 --workers 2 3
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

import ccsim
from ccsim.agents.policies.builtin import BuiltinPlanner
from ccsim.agents.policies.builtin_policy import LinearSoftmaxPolicy
from ccsim.agents.runner import EpisodeJob
from ccsim.scenarios.generator import GenerationConfig, generate_scenarios
from ccsim.training import builtin_train
from ccsim.training.builtin_train import BuiltinTrainConfig
from ccsim.training.rollout_play import PhaseWeights


def _median_ms(run: object, repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def shipping_costs(config: BuiltinTrainConfig, scratch: Path) -> None:
    policy = LinearSoftmaxPolicy(config.featurizer)
    policy.weights[:] = np.random.default_rng(0).normal(size=policy.weights.shape)  # a trained matrix is not zero
    scenario = generate_scenarios(GenerationConfig(count=10, seed=0))[0]
    job = EpisodeJob(scenario=scenario, planner=BuiltinPlanner(policy=policy, sample=True, seed=1))
    whole = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
    scratch.mkdir(parents=True, exist_ok=True)
    # Where training writes them: in the output folder (this machine's /tmp is ten times slower to write).
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        counter = iter(range(10**6))

        def write_phase() -> None:
            phase = Path(folder) / str(next(counter))
            phase.mkdir()
            PhaseWeights(phase).share(policy)

        write_ms = _median_ms(write_phase)
        shipped = PhaseWeights(Path(folder)).job(job)
        small = pickle.dumps(shipped, protocol=pickle.HIGHEST_PROTOCOL)
        print(f"weights {policy.weights.shape} float32 = {policy.weights.nbytes / 1e6:.1f} MB")
        print(
            f"job with the whole policy: {len(whole) / 1e6:.1f} MB, "
            f"pickle {_median_ms(lambda: pickle.dumps(job, protocol=5)):.2f} ms, "
            f"unpickle {_median_ms(lambda: pickle.loads(whole)):.2f} ms (per job)"
        )
        print(
            f"job with the phase's weights file: {len(small) / 1e3:.1f} kB, "
            f"pickle {_median_ms(lambda: pickle.dumps(shipped, protocol=5)):.3f} ms, "
            f"unpickle+map {_median_ms(lambda: pickle.loads(small)):.3f} ms (per job); "
            f"write the file {write_ms:.1f} ms (per phase)"
        )
    per_step = config.groups_per_step * config.rollouts_per_group
    print(f"a default step ships {per_step} jobs: the whole policy would be {per_step * len(whole) / 1e6:.0f} MB")


def _usage() -> tuple[resource.struct_rusage, resource.struct_rusage]:
    return resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)


class Timing(NamedTuple):
    wall_s: float
    phases_s: float  # inside the trainer's phases (episodes played, here or by the workers)
    phases_cpu_s: float  # this process's CPU inside the phases (playing, or sending jobs and reading episodes)
    parent_cpu_s: float
    workers_cpu_s: float  # the pool's processes, counted once they have exited
    digest: str
    accuracy: float


def train(config: BuiltinTrainConfig, workers: int, scratch: Path) -> Timing:
    out = scratch / f"workers-{workers}"
    played = builtin_train._play
    phases = [0.0, 0.0]

    async def timed(*args: Any, **kwargs: Any) -> Any:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            return await played(*args, **kwargs)
        finally:
            phases[0] += time.perf_counter() - started
            phases[1] += time.process_time() - cpu_started

    builtin_train._play = timed
    before_self, before_children = _usage()
    started = time.perf_counter()
    try:
        report = ccsim.train_builtin(config.model_copy(update={"output_dir": out}), workers=workers)
    finally:
        builtin_train._play = played
    wall = time.perf_counter() - started
    after_self, after_children = _usage()

    def cpu(after: resource.struct_rusage, before: resource.struct_rusage) -> float:
        return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime

    return Timing(
        wall,
        phases[0],
        phases[1],
        cpu(after_self, before_self),
        cpu(after_children, before_children),
        report.policy_sha256,
        report.best_val.route_accuracy,
    )


def _run_alone(steps: int, workers: int, out: Path) -> Timing:
    """One training in a fresh interpreter: a second training in the same process would find warm caches."""
    command = [sys.executable, __file__, "--steps", str(steps), "--out", str(out), "--one", str(workers)]
    answer = subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    return Timing(*json.loads(answer))


def main() -> None:
    defaults = BuiltinTrainConfig()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=defaults.steps)
    parser.add_argument("--workers", type=int, nargs="+", default=[2], help="worker counts to compare with 1")
    parser.add_argument("--repeat", type=int, default=1, help="rounds, each in the other order (medians printed)")
    parser.add_argument("--no-train", action="store_true", help="only the shipping costs")
    parser.add_argument("--out", type=Path, default=Path("runs/builtin-workers-benchmark"))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one training, its Timing as JSON
    args = parser.parse_args()
    config = BuiltinTrainConfig(steps=args.steps)
    if args.one is not None:
        print(json.dumps(train(config, args.one, args.out)))
        return
    print(f"cpus {os.cpu_count()}, loadavg at start {Path('/proc/loadavg').read_text().strip()}")
    shipping_costs(config, args.out)
    if args.no_train:
        return
    counts = [1, *args.workers]
    results: dict[int, list[Timing]] = {n: [] for n in counts}
    for round_ in range(args.repeat):
        for workers in counts if round_ % 2 == 0 else counts[::-1]:  # alternate: load drifts on a shared machine
            t = _run_alone(args.steps, workers, args.out)
            results[workers].append(t)
            print(
                f"workers={workers}: wall {t.wall_s:.1f} s "
                f"(phases {t.phases_s:.1f} s, the rest {t.wall_s - t.phases_s:.1f} s); "
                f"cpu: this process {t.parent_cpu_s:.1f} s ({t.phases_cpu_s:.1f} s in phases), "
                f"workers {t.workers_cpu_s:.1f} s; "
                f"best val route accuracy {t.accuracy:.3f}; weights {t.digest[:12]}; "
                f"loadavg {Path('/proc/loadavg').read_text().split()[0]}",
                flush=True,
            )

    def median(workers: int, field: str) -> float:
        return statistics.median(getattr(t, field) for t in results[workers])

    def cpu(workers: int) -> float:
        return statistics.median(t.parent_cpu_s + t.workers_cpu_s for t in results[workers])

    for workers in args.workers:
        same = {t.digest for t in results[workers]} == {t.digest for t in results[1]}
        print(
            f"medians over {args.repeat}: workers={workers} / in-process: "
            f"wall {median(workers, 'wall_s'):.1f} / {median(1, 'wall_s'):.1f} s = "
            f"{median(workers, 'wall_s') / median(1, 'wall_s'):.2f}, "
            f"phases {median(workers, 'phases_s') / median(1, 'phases_s'):.2f}, "
            f"total cpu {cpu(workers) / cpu(1):.2f}  ({'identical' if same else 'DIFFERENT'} weights)"
        )
    print(f"loadavg at end {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
