"""Plug-ins: one registry per role; a user's player from `py:MODULE:FACTORY` or `ccsim.register_*`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import ccsim
from ccsim.agents.registry import CUSTOMERS, PLANNERS, PlayerUnavailableError, Registry
from ccsim.contact_center.config import ModelSpecError, parse_model_spec
from tests import plugins


@pytest.fixture
def scenarios() -> list[ccsim.Scenario]:
    return ccsim.generate_scenarios(8, seed=12)


@pytest.fixture
def clean_registries() -> Iterator[None]:
    before = {id(r): dict(r._builders) for r in (PLANNERS, CUSTOMERS)}
    yield
    for registry in (PLANNERS, CUSTOMERS):
        registry._builders.clear()
        registry._builders.update(before[id(registry)])


def test_a_py_spec_loads_a_users_planner(scenarios: list[ccsim.Scenario]) -> None:
    run = ccsim.simulate(scenarios, planner="py:tests.plugins:always_fraud")
    assert run.planner == "py:tests.plugins:always_fraud"
    assert {e.final_route.value for e in run.episodes if e.final_route} == {"fraud"}


def test_a_registered_kind_takes_its_argument(scenarios: list[ccsim.Scenario], clean_registries: None) -> None:
    ccsim.register_planner("always", plugins.always_department)
    run = ccsim.simulate(scenarios, planner="always:disputes")
    assert run.planner == "always:disputes"
    assert {e.final_route.value for e in run.episodes if e.final_route} == {"disputes"}


def test_a_registered_customer_plays(scenarios: list[ccsim.Scenario], clean_registries: None) -> None:
    ccsim.register_customer("silent", plugins.silent_customer)
    run = ccsim.simulate(scenarios, customer="silent", planner="rules")
    assert all(e.status != "error" for e in run.episodes)
    assert all(e.metrics and e.metrics.customer_turns <= 2 for e in run.episodes)


def test_registering_twice_needs_replace(clean_registries: None) -> None:
    ccsim.register_planner("mine", plugins.always_fraud)
    with pytest.raises(ValueError, match="already registered"):
        ccsim.register_planner("mine", plugins.always_fraud)
    ccsim.register_planner("mine", plugins.always_department, replace=True)
    assert PLANNERS.builder(parse_model_spec("mine")) is plugins.always_department
    with pytest.raises(ValueError, match="reserved"):
        Registry[object]("x").register("py", plugins.always_fraud)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("gpt-4", "cannot play the planner; known: builtin, openai, rules, py:MODULE:FACTORY"),
        ("py:tests.no_such_module:build", "cannot import module 'tests.no_such_module'"),
        ("py:tests.plugins:missing", "has no callable 'missing'"),
    ],
)
def test_unknown_players_fail_before_the_first_episode(
    spec: str, message: str, scenarios: list[ccsim.Scenario]
) -> None:
    with pytest.raises(PlayerUnavailableError, match=message):
        ccsim.simulate(scenarios, planner=spec)
    with pytest.raises(PlayerUnavailableError, match="cannot play the customer"):
        ccsim.play_episode(scenarios[0], customer="rules")


@pytest.mark.parametrize("text", ["py:nocolon", "py:", "Rules!", "builtin", "rules:extra"])
def test_malformed_specs_are_refused_when_parsed(text: str) -> None:
    with pytest.raises(ModelSpecError):
        parse_model_spec(text)
