"""Benchmark: the rules planner's first decision on the generator's openings, per intent and per template.

Run: .venv/bin/python benchmarks/rules_on_generated.py [--count 4000] [--seed 7] [--worst 25] [--examples 1]
Non-hard scenarios must be routed on the opening (asking counts as a miss); hard scenarios must ask. The
generator writes every intent in several registers, so the worst template ids show which kind of wording
the vocabulary does not read yet, not only which sentence.
"""

from __future__ import annotations

import argparse
from collections import defaultdict

from ccsim.agents.policies.rules import Turn, decide
from ccsim.scenarios.generator import GenerationConfig, generate_scenarios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--worst", type=int, default=25, help="worst templates to list")
    parser.add_argument("--examples", type=int, default=1, help="missed openings shown per listed template")
    parser.add_argument("--intents", type=int, default=52, help="intents to list, worst first")
    args = parser.parse_args()

    scenarios = generate_scenarios(GenerationConfig(count=args.count, seed=args.seed))
    per_intent: dict[str, list[bool]] = defaultdict(list)
    per_template: dict[str, list[bool]] = defaultdict(list)
    misses: dict[str, list[str]] = defaultdict(list)
    hard_asked: list[bool] = []
    hard_routed: list[str] = []
    for scenario in scenarios:
        decision = decide([Turn(role="customer", text=scenario.opening_message)])
        if scenario.clarification_needed:
            hard_asked.append(decision.kind == "ask")
            if decision.kind != "ask" and decision.route is not None:
                hard_routed.append(f"[{scenario.template_id} -> {decision.route.value}] {scenario.opening_message}")
            continue
        ok = decision.kind != "ask" and decision.route == scenario.expected_route
        template = scenario.template_id or scenario.id
        per_intent[scenario.intent].append(ok)
        per_template[template].append(ok)
        if not ok:
            got = "ask" if decision.kind == "ask" else str(decision.route.value if decision.route else None)
            misses[template].append(f"[{scenario.expected_route.value} -> {got}] {scenario.opening_message}")

    total = [ok for oks in per_intent.values() for ok in oks]
    print(f"seed {args.seed}, count {args.count}: non-hard {len(total)}, first-decision accuracy "
          f"{sum(total) / len(total):.4f}; hard {len(hard_asked)}, ask rate "
          f"{sum(hard_asked) / max(1, len(hard_asked)):.4f}")  # fmt: skip
    print("\nper intent (worst first):")
    ranked = sorted(per_intent.items(), key=lambda kv: (sum(kv[1]) / len(kv[1]), kv[0]))
    for intent, oks in ranked[: args.intents]:
        print(f"  {sum(oks) / len(oks):.2f}  {sum(oks):4d}/{len(oks):<4d} {intent}")
    print("\nworst templates (most misses first):")
    worst = sorted(per_template.items(), key=lambda kv: (-(len(kv[1]) - sum(kv[1])), kv[0]))
    for template, oks in worst[: args.worst]:
        missed = len(oks) - sum(oks)
        if missed == 0:
            break
        print(f"  {missed:3d}/{len(oks):<3d} {template}")
        for line in misses[template][: args.examples]:
            print(f"        {line[:300]}")
    print(f"\nhard openings routed instead of asked: {len(hard_routed)}")
    for line in hard_routed[: args.worst]:
        print(f"  {line[:300]}")


if __name__ == "__main__":
    main()
