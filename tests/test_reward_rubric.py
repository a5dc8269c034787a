"""The reward as a rubric: the default rubric is the old formula to the bit, users' rewards load by name, and
bad names fail in one clear line."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from ccsim.agents.runner import RunSettings
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.episode import Episode, EpisodeMetrics
from ccsim.contact_center.reward import (
    RewardConfig,
    RewardFunctionError,
    RewardSpecError,
    RewardTerm,
    Rubric,
    as_rubric,
    default_rubric,
    episode_reward,
    import_path,
    route_correct,
)
from ccsim.contact_center.taxonomy import Route
from ccsim.training.builtin_train import BuiltinTrainConfig, BuiltinTrainReport
from ccsim.training.rewards import RewardBlend
from tests import reward_plugins
from tests.episode_factory import make_episode

ROUTES = [*Route, None]


def _random_metrics(rng: random.Random) -> EpisodeMetrics:
    route = rng.choice(ROUTES)
    handoff: bool | None = rng.choice([None, True, False])
    return EpisodeMetrics(
        route=route,
        expected_route=rng.choice(list(Route)),
        route_correct=rng.random() < 0.5,
        escalated=rng.random() < 0.5,
        send_to_human_correct=rng.random() < 0.5,
        asked_clarification=rng.random() < 0.5,
        clarification_needed=rng.random() < 0.5,
        routing_actions=rng.randint(0, 4),
        customer_turns=rng.randint(0, 6),
        planner_calls=rng.randint(0, 9),
        invalid_actions=rng.choice([0, 0, 0, 1, 2, 7]),
        turn_limit_hit=rng.random() < 0.3,
        state_correct=rng.random() < 0.5,
        handoff_summary_ok=handoff,
        latency_s=rng.random(),
        planner_latency_s=rng.random(),
        prompt_tokens=rng.randint(0, 500),
        completion_tokens=rng.randint(0, 50),
        cost_usd=0.0,
    )


def _weights(rng: random.Random) -> RewardConfig:
    # Awkward decimals on purpose: they are where a different order of additions would show in the sixth place.
    def weight() -> float:
        return rng.choice([0.0, 0.05, 0.1, 0.2, 0.3, 1 / 3, 0.7, 1.1, round(rng.uniform(0, 2), rng.randint(1, 9))])

    return RewardConfig(
        route_correct=weight(),
        human_decision_partial=weight(),
        state_correct_bonus=weight(),
        handoff_summary_bonus=weight(),
        invalid_action_penalty=weight(),
        free_turns=rng.randint(0, 3),
        needless_turn_penalty=weight(),
        premature_route_penalty=weight(),
        unneeded_question_penalty=weight(),
        turn_limit_penalty=weight(),
        error_reward=rng.choice([0.0, -1.0, 0.25]),
        min_reward=rng.choice([None, -1.0, -0.5, 0.0]),
    )


def _episode(metrics: EpisodeMetrics | None, status: str = "completed") -> Episode:
    episode = make_episode("sc-1", Route.FRAUD, Route.FRAUD, status=status)
    return episode.model_copy(update={"metrics": metrics, "reward": None})


def test_the_default_rubric_is_the_old_formula_bit_for_bit_on_varied_episodes() -> None:
    rng = random.Random(20240611)
    configs = [RewardConfig(), RewardConfig(unneeded_question_penalty=0.2), RewardConfig(min_reward=None)]
    configs += [_weights(rng) for _ in range(40)]
    compared = 0
    for config in configs:
        rubric = default_rubric(config)
        for _ in range(150):
            metrics = _random_metrics(rng)
            old = episode_reward(metrics, config)
            new = rubric.score(_episode(metrics))
            # repr, not ==: -0.0 == 0.0 but would print differently in episodes.jsonl.
            assert repr(new) == repr(old), (config, metrics)
            compared += 1
    assert compared == len(configs) * 150


def test_an_errored_episode_gets_the_error_reward_and_no_term_is_called() -> None:
    rubric = default_rubric(RewardConfig(error_reward=-0.75))
    metrics = _random_metrics(random.Random(1))
    assert rubric.score(_episode(metrics, status="error")) == -0.75
    assert rubric.score(_episode(None)) == -0.75
    assert rubric.breakdown(_episode(metrics, status="error")) == {}
    # A timeout is the planner's to own: scored like any finished episode, as the runner always did.
    timeout = _episode(metrics, status="timeout")
    assert rubric.score(timeout) == episode_reward(metrics, RewardConfig(error_reward=-0.75))
    user = as_rubric(reward_plugins.explodes)  # never called on an errored episode
    assert user.score(_episode(metrics, status="error")) == 0.0


def test_breakdown_names_each_term_and_sums_to_the_unclipped_reward() -> None:
    metrics = _random_metrics(random.Random(3)).model_copy(
        update={"route_correct": True, "planner_calls": 3, "invalid_actions": 1, "turn_limit_hit": False}
    )
    rubric = default_rubric(RewardConfig(min_reward=None))
    parts = rubric.breakdown(_episode(metrics))
    assert list(parts) == [
        "route_correct",
        "human_decision_partial",
        "state_correct",
        "handoff_summary",
        "invalid_actions",
        "needless_turns",
        "premature_routes",
        "unneeded_question",
        "turn_limit",
        "sensitive_numbers",
    ]
    assert parts["route_correct"] == 1.0
    assert parts["invalid_actions"] == pytest.approx(-0.2)
    assert parts["needless_turns"] == pytest.approx(-0.2)
    assert sum(parts.values()) == pytest.approx(rubric.score(_episode(metrics)))


def test_as_rubric_reads_every_way_of_naming_a_reward() -> None:
    assert as_rubric(None) == default_rubric()
    assert as_rubric(RewardConfig(route_correct=2.0)) == default_rubric(RewardConfig(route_correct=2.0))
    strict = reward_plugins.strict()
    assert as_rubric(strict) is strict

    plain = as_rubric(reward_plugins.brevity)
    assert [(t.name, t.weight) for t in plain.terms] == [("brevity", 1.0)]
    assert plain.name == "brevity" and plain.min_reward is None and plain.error_reward == 0.0

    by_name = as_rubric("tests.reward_plugins:brevity")
    assert by_name.terms[0].function is reward_plugins.brevity
    assert as_rubric("tests.reward_plugins:strict") == strict  # a no-argument factory
    assert as_rubric("tests.reward_plugins:STRICT") == reward_plugins.STRICT  # a Rubric object
    weights = as_rubric("tests.reward_plugins:heavy_routes")  # a factory of weights
    assert weights.terms[0].weight == 3.0 and weights.name == "heavy_routes"

    metrics = _random_metrics(random.Random(5)).model_copy(
        update={"route_correct": True, "planner_calls": 3, "escalated": True}
    )
    assert by_name.score(_episode(metrics)) == 1.0 - 0.5 - 0.125
    assert as_rubric("tests.reward_plugins:strict").score(_episode(metrics)) == 2.0 + 0.5 * (1.0 - 0.5 - 0.125)


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("brevity", "expected 'module:function'"),
        ("tests.no_such_module_here:brevity", "no module named 'tests.no_such_module_here'"),
        ("tests.reward_plugins:nothing", "module 'tests.reward_plugins' has no attribute 'nothing'"),
        ("tests.reward_plugins:NOT_A_REWARD", "'NOT_A_REWARD' is a int; expected a reward function"),
        ("tests.reward_plugins:two_arguments", "'two_arguments' does not take exactly one argument"),
        ("tests.reward_plugins:makes_a_string", "returned a str, not a Rubric or RewardConfig"),
    ],
)
def test_a_bad_reward_name_fails_in_one_line_saying_what_is_wrong(spec: str, says: str) -> None:
    with pytest.raises(RewardSpecError) as caught:
        as_rubric(spec)
    message = str(caught.value)
    assert says in message
    assert spec in message and "\n" not in message


def test_a_module_that_fails_to_import_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "broken_rewards_xyz.py").write_text("import not_installed_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(RewardSpecError, match="importing module 'broken_rewards_xyz' failed: ModuleNotFoundError"):
        as_rubric("broken_rewards_xyz:anything")


def test_a_reward_module_in_the_working_directory_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my_local_rewards_xyz.py").write_text("def flat(episode):\n    return 0.5\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    path_before = list(sys.path)
    rubric = as_rubric("my_local_rewards_xyz:flat")
    assert rubric.score(_episode(_random_metrics(random.Random(2)))) == 0.5
    assert sys.path == path_before  # looked there for this import only
    monkeypatch.delitem(sys.modules, "my_local_rewards_xyz")


def test_a_failing_or_non_numeric_reward_function_names_the_term_and_the_episode() -> None:
    episode = _episode(_random_metrics(random.Random(4)))
    with pytest.raises(RewardFunctionError, match=r"term 'explodes' failed on episode sc-1#0: KeyError"):
        as_rubric(reward_plugins.explodes).score(episode)
    with pytest.raises(RewardFunctionError, match=r"term 'not_a_number' returned nan .* expected a finite number"):
        as_rubric(reward_plugins.not_a_number).score(episode)


def test_term_names_are_unique() -> None:
    term = RewardTerm(name="route", function=route_correct)
    with pytest.raises(ValidationError, match="repeated: route"):
        Rubric(terms=(term, term))


def test_the_description_records_weights_and_import_paths_and_rebuilds_the_rubric() -> None:
    rubric = default_rubric(RewardConfig(unneeded_question_penalty=0.2, free_turns=2))
    described = json.loads(json.dumps(rubric.describe()))
    by_name = {t["name"]: t for t in described["terms"]}
    assert by_name["unneeded_question"] == {
        "name": "unneeded_question",
        "weight": -0.2,
        "function": "ccsim.contact_center.reward:unneeded_question",
        "params": {},
    }
    assert by_name["needless_turns"]["params"] == {"free_turns": 2}
    default_weights = {t["name"]: t["weight"] for t in default_rubric().describe()["terms"]}
    assert repr(default_weights["unneeded_question"]) == "0.0"  # an unused penalty reads 0.0, not -0.0
    assert described["min_reward"] == -1.0 and described["name"] == "default-reweighted"
    assert Rubric.model_validate(described) == rubric
    assert as_rubric(described) == rubric  # config.json's form reads back through as_rubric too

    closure = Rubric(name="local", terms=(RewardTerm(name="half", function=lambda episode: 0.5),))
    assert closure.describe()["terms"][0]["function"] is None  # recorded, but honestly not rebuildable
    with pytest.raises(ValidationError, match="cannot be rebuilt"):
        Rubric.model_validate(closure.describe())
    assert import_path(reward_plugins.brevity) == "tests.reward_plugins:brevity"


def test_run_settings_take_any_reward_and_record_it_in_json() -> None:
    rules = ModelSpec(kind="rules")
    assert RunSettings(planner=rules).reward == default_rubric()
    assert RunSettings(planner=rules, reward=RewardConfig(route_correct=2.0)).reward.terms[0].weight == 2.0
    settings = RunSettings(planner=rules, reward="tests.reward_plugins:brevity")
    dumped = json.loads(json.dumps(settings.model_dump(mode="json")))
    assert dumped["reward"]["terms"][0]["function"] == "tests.reward_plugins:brevity"
    assert RunSettings.model_validate(dumped).reward == settings.reward
    # A config.json written before rubrics held RewardConfig weights there; it still reads.
    old = {**dumped, "reward": RewardConfig(route_correct=2.0).model_dump(mode="json")}
    assert RunSettings.model_validate(old).reward == default_rubric(RewardConfig(route_correct=2.0))


def test_the_builtin_trainer_shows_its_one_different_weight_and_takes_a_users_rubric() -> None:
    config = BuiltinTrainConfig()
    assert isinstance(config.reward, RewardConfig)
    assert config.reward.overrides() == {"unneeded_question_penalty": 0.2}
    report = BuiltinTrainReport.model_construct(config=config)
    assert report.reward_overrides == {"unneeded_question_penalty": 0.2}
    terms = {t["name"]: t["weight"] for t in report.reward_rubric["terms"]}
    assert terms["unneeded_question"] == -0.2
    assert {"reward_overrides", "reward_rubric"} <= set(BuiltinTrainReport.model_computed_fields)

    users = BuiltinTrainConfig(reward="tests.reward_plugins:strict")
    assert users.reward == reward_plugins.strict()
    assert BuiltinTrainReport.model_construct(config=users).reward_overrides is None
    # train_config.json reads back, weights as weights and a rubric as a rubric.
    assert BuiltinTrainConfig.model_validate_json(users.model_dump_json()).reward == users.reward
    assert BuiltinTrainConfig.model_validate_json(config.model_dump_json()).reward == config.reward


def test_the_art_trainer_uses_the_shared_default_and_takes_a_users_rubric() -> None:
    assert RewardBlend().programmatic_rubric() == default_rubric()
    blend = RewardBlend(programmatic=reward_plugins.brevity)
    assert blend.programmatic_rubric().terms[0].function is reward_plugins.brevity
    assert RewardBlend.model_validate_json(blend.model_dump_json()).programmatic_rubric() == blend.programmatic_rubric()
