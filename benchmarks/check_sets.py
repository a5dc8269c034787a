"""Two planners on every check set: macro route accuracy over full episodes, with 95% intervals, and a
paired bootstrap of the difference (B minus A) on the same scenarios.

Usage: .venv/bin/python benchmarks/check_sets.py [--a rules] [--b builtin:runs/builtin/best]
       [--check-set PATH ...] [--resamples 2000] [--seed 0]

By default: every utterance set in scenarios/check_sets/ except the rules vocabulary's tuning sets (dev_rules_*) and
the studied sets the built-in planner trains on (STUDIED_SETS in training/builtin_train.py).
Each check set is a file of minimal records (scenarios/check_sets/*.jsonl), completed by the importer
as `ccsim scenarios import` does, and played to the end by the scripted customer and helpers, exactly as
`ccsim eval` plays them. Macro accuracy is the mean of the eight per-route recalls. The intervals are
stratified bootstraps (scenarios resampled within their expected route); the paired bootstrap resamples
the same scenarios for both planners, so it measures the difference on the same utterances.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

import ccsim
from ccsim.training.builtin_train import CHECK_SETS, STUDIED_SETS


def correct_by_scenario(planner: str, scenarios: Sequence[ccsim.Scenario]) -> dict[str, bool]:
    board = ccsim.evaluate(scenarios, [planner], concurrency=8, trajectories=False, weave=False)
    run = board.runs[0]
    return {e.scenario_id: e.metrics is not None and e.metrics.route_correct for e in run.episodes}


def macro(correct: np.ndarray, groups: list[np.ndarray]) -> float:
    return float(np.mean([correct[g].mean() for g in groups]))


def stratified_resamples(groups: list[np.ndarray], resamples: int, seed: int) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [[rng.choice(g, size=len(g), replace=True) for g in groups] for _ in range(resamples)]


def interval(values: Sequence[float]) -> tuple[float, float]:
    low, high = np.percentile(np.asarray(values), [2.5, 97.5])
    return float(low), float(high)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", default="rules", help="Planner spec A (the reference).")
    parser.add_argument("--b", default="builtin:runs/builtin/best", help="Planner spec B.")
    parser.add_argument("--check-set", action="append", type=Path, help="Check set file; default: all.")
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    # Injection phrasing sets are templates, not utterances (benchmarks/injection_robustness.py reads them).
    # injections_* are templates, not utterances; dev_rules_* are the rules vocabulary's own tuning sets (1.000 by
    # construction), so a default comparison on them would flatter the rules planner.
    # The built-in planner trains on the studied sets (BuiltinTrainConfig.corpus_files): a default comparison on them
    # would flatter it as the dev_rules_* sets would flatter the rules. What is left: the dev check set and any set
    # not yet studied.
    paths = args.check_set or sorted(
        p
        for p in CHECK_SETS.glob("*.jsonl")
        if not p.name.startswith(("injections", "dev_rules")) and p.name not in STUDIED_SETS
    )
    print(f"| check set | n | {args.a} macro [95% CI] | {args.b} macro [95% CI] | B - A [95% CI] |")
    print("|---|---|---|---|---|")
    for path in paths:
        scenarios = ccsim.load_scenarios(path)
        ids = [s.id for s in scenarios]
        by_route: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(scenarios):
            by_route[s.expected_route.value].append(i)
        groups = [np.asarray(v) for _, v in sorted(by_route.items())]
        a_map, b_map = correct_by_scenario(args.a, scenarios), correct_by_scenario(args.b, scenarios)
        a = np.asarray([a_map.get(i, False) for i in ids], dtype=float)
        b = np.asarray([b_map.get(i, False) for i in ids], dtype=float)
        samples = stratified_resamples(groups, args.resamples, args.seed)
        a_s = [macro(a, g) for g in samples]
        b_s = [macro(b, g) for g in samples]
        d_s = [y - x for x, y in zip(a_s, b_s, strict=True)]
        (al, ah), (bl, bh), (dl, dh) = interval(a_s), interval(b_s), interval(d_s)
        ma, mb = macro(a, groups), macro(b, groups)
        print(
            f"| {path.name} | {len(ids)} | {ma:.3f} [{al:.3f}, {ah:.3f}] | {mb:.3f} [{bl:.3f}, {bh:.3f}] "
            f"| {mb - ma:+.3f} [{dl:+.3f}, {dh:+.3f}] |"
        )


if __name__ == "__main__":
    main()
