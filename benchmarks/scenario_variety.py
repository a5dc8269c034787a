"""Benchmark: generation rate and variety of the scenario generator.

Run: .venv/bin/python benchmarks/scenario_variety.py [--count 5000] [--seed 7]
Targets: >= 90% distinct openings, no template above 2% of scenarios, 5,000 scenarios well under 30 s.
"""

from __future__ import annotations

import argparse
import time

from ccsim.scenarios.consistency import check_scenario
from ccsim.scenarios.generator import GenerationConfig, generate_scenarios
from ccsim.scenarios.io import dumps_scenario
from ccsim.scenarios.stats import scenario_stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    started = time.perf_counter()
    scenarios = generate_scenarios(GenerationConfig(count=args.count, seed=args.seed))
    serialized = sum(len(dumps_scenario(s)) for s in scenarios)
    elapsed = time.perf_counter() - started
    stats = scenario_stats(scenarios)
    inconsistent = sum(1 for s in scenarios if check_scenario(s))

    rate = stats.total / elapsed
    print(f"generated {stats.total} scenarios in {elapsed:.2f} s ({rate:.0f}/s, {serialized / 1e6:.1f} MB of JSON)")
    print(f"distinct openings: {stats.distinct_openings} ({stats.distinct_opening_ratio:.1%}, target >= 90%)")
    print(f"max template share: {stats.max_template_share:.2%} ({stats.most_common_template}, target <= 2%)")
    print(f"inconsistent scenarios: {inconsistent}")
    print("by route:", stats.by_route)
    print("by difficulty:", stats.by_difficulty)
    print("by split:", stats.by_split)
    print(f"intents covered: {len(stats.by_intent)}")


if __name__ == "__main__":
    main()
