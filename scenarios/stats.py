"""Summary statistics of a scenario set: mixes, splits and how varied the openings are."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel, Field

from ccsim.contact_center.models import Scenario


class ScenarioStats(BaseModel):
    """Counts and variety measures of a scenario set."""

    total: int = Field(description="Number of scenarios.")
    by_route: dict[str, int] = Field(description="Scenarios per expected route.")
    by_intent: dict[str, int] = Field(description="Scenarios per intent.")
    by_difficulty: dict[str, int] = Field(description="Scenarios per difficulty tier.")
    by_split: dict[str, int] = Field(description="Scenarios per split.")
    needs_human: int = Field(description="Scenarios whose ground truth is a human department.")
    distinct_openings: int = Field(description="Number of distinct opening messages.")
    distinct_opening_ratio: float = Field(description="Distinct openings / total (1.0 when empty).")
    max_template_share: float = Field(description="Largest share of scenarios produced by one template_id.")
    most_common_template: str | None = Field(description="The template_id with that share.")


def _sorted_counts(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def scenario_stats(scenarios: Iterable[Scenario]) -> ScenarioStats:
    items = list(scenarios)
    total = len(items)
    openings = {s.opening_message for s in items}
    templates = Counter(s.template_id for s in items if s.template_id is not None)
    top = templates.most_common(1)
    return ScenarioStats(
        total=total,
        by_route=_sorted_counts(s.expected_route.value for s in items),
        by_intent=_sorted_counts(s.intent for s in items),
        by_difficulty=_sorted_counts(s.difficulty.value for s in items),
        by_split=_sorted_counts(s.split.value for s in items),
        needs_human=sum(s.needs_human for s in items),
        distinct_openings=len(openings),
        distinct_opening_ratio=len(openings) / total if total else 1.0,
        max_template_share=top[0][1] / total if top else 0.0,
        most_common_template=top[0][0] if top else None,
    )
