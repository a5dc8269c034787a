"""Which scenario an env episode plays: a fixed list, weights over intents and difficulties, or a curriculum."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence

from ccsim.contact_center.models import Scenario

# A curriculum picks the scenario of the n-th episode (0-based) this sampler serves, with the env's RNG.
Curriculum = Callable[[int, random.Random], Scenario]


class ScenarioSampler:
    """Draws scenarios for `reset(seed=...)`; the same seed gives the same scenario.

    `intent_weights` and `difficulty_weights` multiply (missing keys weigh 1; a weight of 0 excludes);
    `curriculum`, when given, decides alone and may close over any pool it likes.
    """

    def __init__(
        self,
        scenarios: Sequence[Scenario] = (),
        *,
        intent_weights: Mapping[str, float] | None = None,
        difficulty_weights: Mapping[str, float] | None = None,
        curriculum: Curriculum | None = None,
    ) -> None:
        if curriculum is None and not scenarios:
            raise ValueError("ScenarioSampler needs scenarios or a curriculum")
        self.scenarios = list(scenarios)
        self.curriculum = curriculum
        self.served = 0
        intents, difficulties = dict(intent_weights or {}), dict(difficulty_weights or {})
        self.weights = [
            float(intents.get(s.intent, 1.0)) * float(difficulties.get(s.difficulty.value, 1.0)) for s in self.scenarios
        ]
        if self.scenarios and curriculum is None and not any(w > 0 for w in self.weights):
            raise ValueError("the intent and difficulty weights exclude every scenario")

    def sample(self, rng: random.Random) -> Scenario:
        index = self.served
        self.served += 1
        if self.curriculum is not None:
            return self.curriculum(index, rng)
        return rng.choices(self.scenarios, weights=self.weights, k=1)[0]


ScenarioSource = ScenarioSampler | Sequence[Scenario] | Curriculum | None


def as_sampler(source: ScenarioSource) -> ScenarioSampler:
    """A sampler for any source; None generates 200 training scenarios (seed 0) from the intent catalog."""
    if isinstance(source, ScenarioSampler):
        return source
    if source is None:
        from ccsim.api.scenario_sets import generate_scenarios

        return ScenarioSampler(generate_scenarios(200, seed=0, split="train"))
    if callable(source):
        return ScenarioSampler(curriculum=source)
    return ScenarioSampler(source)
