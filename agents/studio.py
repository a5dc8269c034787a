"""The contact center for LangGraph Studio (`langgraph dev`), declared in the repository's `langgraph.json`.

`agents/graph.py` compiles the episode graph for the runner: its per-episode objects (planner model,
customer, helpers, bank state, event log) travel in a runtime context that Studio cannot build. This
module wraps it in a small outer graph whose input Studio can fill in:

    {"scenario_id": "sc-7-000042"}            a scenario from the configured file, or regenerated from
                                              a generator id (sc-SEED-INDEX, default generation settings)
    {"opening": "someone used my card!!"}     free text, completed into a scenario the way
                                              `ccsim scenarios import` completes a minimal record
    optional: expected_route (free text only), planner, customer, helper (spec strings)

The planner, customer and helper may also come from the configuration (Studio's assistant settings,
`StudioConfig`); the input wins. `prepare` builds the scenario, `play` plays one episode through the
canonical runner (the same path as `ccsim simulate`) and returns the transcript, the route and the score.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from typing_extensions import TypedDict  # not typing's: LangGraph's /schemas needs it on Python < 3.12

from ccsim.agents.lexicon.evidence import gather_evidence, pick_route
from ccsim.agents.runner import run_episode
from ccsim.contact_center.config import EpisodeConfig, parse_model_spec
from ccsim.contact_center.episode import Episode
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.taxonomy import ROUTES, Route
from ccsim.scenarios.generator import GenerationConfig, iter_scenarios
from ccsim.scenarios.importer import MinimalRecord, complete_record, import_scenarios

SCENARIOS_ENV = "CCSIM_STUDIO_SCENARIOS"  # a scenario file to look ids up in, when the configuration names none
GENERATED_ID = re.compile(r"^(?P<prefix>[a-z][a-z0-9_]*)-(?P<seed>\d+)-(?P<index>\d+)$")
OPENING_ID = "studio-opening"


class StudioInput(TypedDict, total=False):
    """What Studio's input form shows: a scenario id or a free-text opening, and optionally who plays."""

    scenario_id: str
    opening: str
    expected_route: str
    planner: str
    customer: str
    helper: str


class StudioConfig(TypedDict, total=False):
    """Studio's configuration (the assistant's context): defaults for who plays, and where scenarios are."""

    planner: str
    customer: str
    helper: str
    scenarios_file: str
    max_turns: int


class StudioOutput(TypedDict, total=False):
    """What one played episode shows in Studio."""

    scenario_id: str
    opening: str
    expected_route: str
    final_route: str | None
    route_correct: bool
    status: str
    reward: float | None
    handoff_summary: str | None
    transcript: list[str]
    error: str | None


class StudioState(StudioInput, StudioOutput, total=False):
    """Input and output together, plus the prepared scenario passed from `prepare` to `play`."""

    scenario: dict[str, Any]


class StudioInputError(ValueError):
    """The Studio input names no playable scenario."""


def _setting(name: str, state: StudioState, context: StudioConfig, default: str) -> str:
    """A player spec: the input's, else the configuration's, else the default."""
    given: dict[str, Any] = {**context, **{k: v for k, v in state.items() if v}}
    value = given.get(name)
    return str(value) if value else default


def find_scenario(scenario_id: str, scenarios_file: str | None = None) -> Scenario:
    """A scenario by id: from `scenarios_file` when given, else regenerated from a generator id."""
    if scenarios_file:
        for scenario in import_scenarios(Path(scenarios_file)).scenarios:
            if scenario.id == scenario_id:
                return scenario
        raise StudioInputError(f"no scenario {scenario_id!r} in {scenarios_file}")
    match = GENERATED_ID.match(scenario_id)
    if match is None:
        raise StudioInputError(
            f"{scenario_id!r} is not a generator id (sc-SEED-INDEX); set scenarios_file in the configuration "
            f"(or {SCENARIOS_ENV}) to look it up in a file"
        )
    index = int(match["index"])
    config = GenerationConfig(count=index + 1, seed=int(match["seed"]), id_prefix=match["prefix"])
    for scenario in iter_scenarios(config):
        if scenario.id == scenario_id:
            return scenario
    raise StudioInputError(f"the generator gives no scenario {scenario_id!r}")


def scenario_from_opening(opening: str, expected_route: str | None = None) -> Scenario:
    """Free text completed into a scenario; without an expected route, the lexicon's best guess stands in."""
    route = Route(expected_route) if expected_route else None
    if route is None:
        route = pick_route(gather_evidence([(opening, 1.0)]).scores) or Route.KNOWLEDGE_BASE
    record = MinimalRecord(
        id=OPENING_ID, opening_message=opening, expected_route=route, needs_human=ROUTES[route].needs_human
    )
    return complete_record(record, default_source="studio")


def prepare(state: StudioState, runtime: Runtime[StudioConfig]) -> dict[str, Any]:
    """Build the episode's scenario from the input (and the configuration's scenario file)."""
    context = runtime.context or {}
    opening = (state.get("opening") or "").strip()
    scenario_id = (state.get("scenario_id") or "").strip()
    if scenario_id:
        scenario = find_scenario(scenario_id, context.get("scenarios_file") or os.environ.get(SCENARIOS_ENV))
    elif opening:
        scenario = scenario_from_opening(opening, state.get("expected_route"))
    else:
        raise StudioInputError("give a scenario_id or an opening")
    return {"scenario": scenario.model_dump(mode="json")}


def transcript(episode: Episode) -> list[str]:
    """The conversation as readable lines: who spoke or acted, and what."""
    lines = []
    for event in episode.events:
        if event.kind in ("customer_message", "planner_message", "helper_message"):
            lines.append(f"{event.actor}: {event.content}")
        elif event.kind in ("planner_action", "tool_call"):
            lines.append(f"{event.actor} -> {event.tool_name}({event.tool_args or {}})")
        elif event.kind == "tool_result":
            lines.append(f"{event.actor} <- {event.tool_name}: {event.content}")
        elif event.kind in ("transfer", "invalid_action", "error", "end"):
            lines.append(f"[{event.kind}] {event.content}")
    return lines


async def play(state: StudioState, runtime: Runtime[StudioConfig]) -> dict[str, Any]:
    """Play the prepared scenario once through the canonical runner, and show the result."""
    context = runtime.context or {}
    scenario = Scenario.model_validate(state["scenario"])
    planner = parse_model_spec(_setting("planner", state, context, "rules"))
    episode = await run_episode(
        scenario,
        planner=planner,
        customer=parse_model_spec(_setting("customer", state, context, "scripted")),
        helper=parse_model_spec(_setting("helper", state, context, "scripted")),
        episode_config=EpisodeConfig(max_turns=int(context.get("max_turns") or 8)),
        planner_label=planner.label,
    )
    return {
        "scenario_id": scenario.id,
        "opening": scenario.opening_message,
        "expected_route": scenario.expected_route.value,
        "final_route": episode.final_route.value if episode.final_route else None,
        "route_correct": bool(episode.metrics and episode.metrics.route_correct),
        "status": episode.status,
        "reward": episode.reward,
        "handoff_summary": episode.handoff_summary,
        "transcript": transcript(episode),
        "error": episode.error,
    }


def studio_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    """The outer graph Studio runs: prepare -> play."""
    builder = StateGraph(StudioState, context_schema=StudioConfig, input_schema=StudioInput, output_schema=StudioOutput)
    builder.add_node("prepare", prepare)
    builder.add_node("play", play)
    builder.add_edge(START, "prepare")
    builder.add_edge("prepare", "play")
    builder.add_edge("play", END)
    return builder.compile(name="ccsim contact center")


graph = studio_graph()
