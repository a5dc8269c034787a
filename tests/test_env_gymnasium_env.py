"""The Gymnasium wrapper passes Gymnasium's own checker and survives a random-action loop."""

from __future__ import annotations

import json
import warnings

import pytest

import ccsim

gymnasium = pytest.importorskip("gymnasium", reason='the Gymnasium adapter needs `pip install "ccsim[gym]"`')
from gymnasium.utils.env_checker import check_env  # noqa: E402

from ccsim.env.gymnasium_env import ContactCenterGymEnv, parse_text_action, register  # noqa: E402


@pytest.fixture(scope="module")
def scenarios() -> list[ccsim.Scenario]:
    return ccsim.generate_scenarios(12, seed=21)


def test_gymnasiums_env_checker_passes(scenarios: list[ccsim.Scenario]) -> None:
    env = ContactCenterGymEnv(scenarios, render_mode="ansi")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a checker warning is a failure too
        check_env(env, skip_render_check=True)
    env.reset(seed=0)
    assert (env.render() or "").startswith("user: ")


def test_random_actions_end_every_episode_with_a_reward_in_the_record(scenarios: list[ccsim.Scenario]) -> None:
    env = ContactCenterGymEnv(scenarios, max_turns=4)
    env.action_space.seed(5)
    for episode in range(4):
        observation, info = env.reset(seed=episode)
        assert (
            env.observation_space.contains(observation) and info["tools"][1]["function"]["name"] == "transfer_to_human"
        )
        for _ in range(10):
            observation, reward, terminated, truncated, info = env.step(env.action_space.sample())
            assert env.observation_space.contains(observation)
            if terminated or truncated:
                break
        # Random text never routes: the customer hangs up (terminated) or the turn limit ends it (truncated).
        assert terminated != truncated and info["route"] is None
        assert info["status"] == ("turn_limit" if truncated else "completed")
        assert env.episode is not None and reward == env.episode.reward < 0
    env.close()


def test_a_json_action_routes_and_gymnasium_make_builds_it(scenarios: list[ccsim.Scenario]) -> None:
    env = gymnasium.make(register(), scenarios=scenarios[:1], disable_env_checker=True)
    observation, _ = env.reset(seed=1)
    assert json.loads(observation)[1]["role"] == "user"
    call = {
        "id": "c",
        "function": {"name": "transfer_to_human", "arguments": '{"department": "fraud", "summary": "s"}'},
    }
    _, reward, terminated, truncated, info = env.step(json.dumps({"tool_calls": [call]}))
    assert terminated and not truncated and info["route"] == "fraud" and info["metrics"]["route"] == "fraud"
    assert reward == env.unwrapped.episode.reward  # type: ignore[attr-defined]
    assert parse_text_action("{not json") == "{not json" and parse_text_action('{"content": "hi"}') == {"content": "hi"}
