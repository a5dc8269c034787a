"""The check sets of real customers' words (scenarios/check_sets/), read by the one scenario loader, and the
first-decision scoring that tests of the routers hold to a floor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import ccsim.scenarios
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.taxonomy import Route
from ccsim.scenarios.importer import import_scenarios

CHECK_SETS = Path(ccsim.scenarios.__file__).resolve().parent / "check_sets"
# realistic.jsonl: ids below real-151 were used to tune the rules router's patterns; the rest were not.
HELD_OUT_FROM = 151


def load_check_set(name: str) -> list[Scenario]:
    return import_scenarios(CHECK_SETS / f"{name}.jsonl").scenarios


def tuned_and_held_out(scenarios: Sequence[Scenario]) -> tuple[list[Scenario], list[Scenario]]:
    def number(scenario: Scenario) -> int:
        return int(scenario.id.rsplit("-", 1)[-1])

    tuned = [s for s in scenarios if number(s) < HELD_OUT_FROM]
    return tuned, [s for s in scenarios if number(s) >= HELD_OUT_FROM]


def first_decision_macro(
    scenarios: Sequence[Scenario], first_route: Callable[[str], Route | None]
) -> tuple[float, list[str]]:
    """Mean per-route recall of the first decision on each opening (a question counts as a miss), and the misses."""
    hits: dict[Route, list[bool]] = {}
    misses: list[str] = []
    for scenario in scenarios:
        routed = first_route(scenario.opening_message)
        hits.setdefault(scenario.expected_route, []).append(routed is scenario.expected_route)
        if routed is not scenario.expected_route:
            misses.append(f"{scenario.id}: expected {scenario.expected_route.value}, got {routed}")
    recalls = [sum(flags) / len(flags) for flags in hits.values()]
    return (sum(recalls) / len(recalls) if recalls else 0.0), misses
