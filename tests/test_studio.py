"""The LangGraph Studio graph (`langgraph.json` -> `agents/studio.py`), loaded the way `langgraph dev` loads it.

langgraph-api's in-memory server imports the file that langgraph.json names with importlib's file loader,
takes the variable after the colon, serves its JSON schemas on /assistants/{id}/schemas, and runs it with
the assistant's context. This test does those steps in-process; it does not start the HTTP server.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from langgraph.graph.state import CompiledStateGraph

import ccsim
from ccsim.agents.graph import contact_center_graph

ROOT = Path(__file__).resolve().parent.parent


def _load_studio_graph() -> Any:
    config = json.loads((ROOT / "langgraph.json").read_text())
    spec_text = config["graphs"]["contact_center"]
    file_part, variable = spec_text.rsplit(":", 1)
    path = (ROOT / file_part).resolve()
    assert path.is_file(), path
    module_spec = importlib.util.spec_from_file_location("ccsim_studio_graph_under_test", path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_spec.name] = module
    module_spec.loader.exec_module(module)
    return getattr(module, variable)


@pytest.fixture(scope="module")
def studio() -> Any:
    return _load_studio_graph()


def test_langgraph_json_names_a_compiled_graph_with_studio_schemas(studio: Any) -> None:
    assert isinstance(studio, CompiledStateGraph)
    # What /assistants/{id}/schemas returns; on Python 3.11 typing.TypedDict made it fail with a 500.
    inputs = studio.get_input_jsonschema()["properties"]
    assert {"scenario_id", "opening", "planner", "customer", "helper"} <= set(inputs)
    assert {"transcript", "final_route", "route_correct"} <= set(studio.get_output_jsonschema()["properties"])
    assert {"planner", "scenarios_file"} <= set(studio.get_context_jsonschema()["properties"])
    # The episode graph itself has serialisable schemas too.
    assert "planner_messages" in contact_center_graph().get_input_jsonschema()["properties"]


async def test_a_scenario_id_plays_one_episode(studio: Any) -> None:
    expected = ccsim.generate_scenarios(3, seed=5)[2]
    result = await studio.ainvoke({"scenario_id": expected.id}, context={"planner": "rules"})
    assert result["scenario_id"] == expected.id and result["opening"] == expected.opening_message
    assert result["expected_route"] == expected.expected_route.value
    assert result["status"] in ("completed", "turn_limit")
    assert result["route_correct"] == (result["final_route"] == expected.expected_route.value)
    assert result["transcript"][0] == f"customer: {expected.opening_message}"
    assert any(line.startswith("planner") for line in result["transcript"])


async def test_a_free_text_opening_with_the_planner_from_the_input(studio: Any, tmp_path: Path) -> None:
    result = await studio.ainvoke(
        {"opening": "my card was stolen and someone bought a laptop", "planner": "py:tests.plugins:always_fraud"},
        context={"planner": "rules"},
    )
    assert result["expected_route"] == "fraud"  # guessed from the opening by the lexicon
    assert result["final_route"] == "fraud" and result["route_correct"] is True
    assert "planner -> transfer_to_human" in "\n".join(result["transcript"])


async def test_a_scenario_file_from_the_configuration(studio: Any, tmp_path: Path) -> None:
    scenario_file = tmp_path / "mine.jsonl"
    scenario_file.write_text(
        json.dumps({"id": "c1", "opening_message": "whats my minimum payment", "expected_route": "account_services",
                    "needs_human": False}) + "\n"
    )  # fmt: skip
    result = await studio.ainvoke({"scenario_id": "c1"}, context={"scenarios_file": str(scenario_file)})
    assert result["scenario_id"] == "c1" and result["expected_route"] == "account_services"
    with pytest.raises(ValueError, match="no scenario 'c2'"):
        await studio.ainvoke({"scenario_id": "c2"}, context={"scenarios_file": str(scenario_file)})


async def test_an_empty_input_is_refused(studio: Any) -> None:
    with pytest.raises(ValueError, match="scenario_id or an opening"):
        await studio.ainvoke({})
