"""Benchmark: are hard openings genuinely ambiguous, i.e. shared by intents of different routes?

Run: .venv/bin/python benchmarks/hard_ambiguity.py [--count 5000] [--seed 7]
A hard opening whose template only ever appears under one route lets a learned planner guess the route from
the wording instead of asking; family templates (<intent>.family.<family>.<nn>) are shared across routes.
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict

from ccsim.contact_center.taxonomy import Route
from ccsim.scenarios.generator import GenerationConfig, generate_scenarios


def shared_template(template_id: str) -> str:
    """The template id without the intent, so the same family opening counts once across its members."""
    return template_id.split(".family.", 1)[1] if ".family." in template_id else template_id


def normalise(text: str) -> str:
    return re.sub(r"[^\w\s]", "", text.lower()).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    hard = [s for s in generate_scenarios(GenerationConfig(count=args.count, seed=args.seed)) if s.clarification_needed]
    routes: dict[str, set[Route]] = defaultdict(set)
    openings: dict[str, str] = {}
    for scenario in hard:
        template = shared_template(scenario.template_id or scenario.id)
        routes[template].add(scenario.expected_route)
        openings.setdefault(normalise(scenario.opening_message), template)
    from_family = sum(".family." in (s.template_id or "") for s in hard)
    shared = sum(len(routes[t]) > 1 for t in openings.values())
    print(f"hard scenarios: {len(hard)}, from shared family templates: {from_family} ({from_family / len(hard):.1%})")
    print(f"distinct hard openings: {len(openings)}, template used by more than one route: {shared} "
          f"({shared / len(openings):.1%})")  # fmt: skip


if __name__ == "__main__":
    main()
