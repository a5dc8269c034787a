"""The step API plays the canonical episode: same records as `ccsim.simulate`, bad actions recorded, never raised."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import pytest
from langchain_core.messages import AIMessage, convert_to_messages
from openai import AsyncOpenAI

import ccsim
from ccsim.agents.policies.rules import RulesPlanner
from ccsim.contact_center.episode import Episode
from ccsim.contact_center.models import Scenario
from ccsim.env import Action, ContactCenterEnv, StepResult, SyncContactCenterEnv
from ccsim.training.trajectory import episode_to_trajectory
from tests.fake_openai import FakeOpenAIServer, ScriptedReply, ScriptedToolCall

MESSAGE_FIELDS = ("route", "reward", "status", "messages", "tools", "metrics", "events")


def comparable(episode: Episode) -> dict[str, Any]:
    """What must match between an env episode and a graph-driven one (wall times aside)."""
    trajectory = episode_to_trajectory(episode)
    metrics = episode.metrics.model_dump(exclude={"latency_s", "planner_latency_s"}) if episode.metrics else None
    return {
        "route": episode.final_route,
        "reward": episode.reward,
        "status": episode.status,
        "messages": [m if isinstance(m, dict) else m.model_dump() for m in trajectory.messages_and_choices],
        "tools": trajectory.tools,
        "metrics": metrics,
        "events": [e.model_dump(exclude={"t", "latency_s"}) for e in episode.events],
    }


async def drive_with_rules(scenario: Scenario, trial: int) -> Episode:
    env = ContactCenterEnv([scenario], planner_label="rules")
    rules = RulesPlanner()
    observation = await env.reset(scenario, trial=trial)
    for _ in range(50):
        decision = await rules.ainvoke(convert_to_messages(observation.messages))
        assert isinstance(decision, AIMessage)
        result = await env.step(Action.from_message(decision))
        if result.done:
            assert result.info.episode is not None and env.episode is result.info.episode
            assert result.reward == result.info.episode.reward
            return result.info.episode
        assert result.reward == 0.0
        observation = result.observation
    raise AssertionError("the episode never ended")


async def test_the_env_driven_by_the_rules_planner_matches_simulate() -> None:
    # Every difficulty (hard ones need a clarifying question first), two trials each, all envs concurrently.
    mix = {"easy": 4, "medium": 4, "hard": 6, "adversarial": 2}
    scenarios = [
        s
        for seed, (difficulty, count) in enumerate(mix.items(), start=11)
        for s in ccsim.generate_scenarios(count, seed=seed, difficulty_mix={difficulty: 1})
    ]
    assert {s.difficulty.value for s in scenarios} == set(mix) and len({s.id for s in scenarios}) == 16
    run = await ccsim.asimulate(scenarios, planner="rules", trials=2, concurrency=8)
    played = await asyncio.gather(*(drive_with_rules(s, t) for s in scenarios for t in range(2)))
    by_id = {e.episode_id: e for e in run.episodes}
    assert len(played) == len(by_id) == 32
    assert any(len(e.planner_messages) > 5 for e in played)  # some episodes take several turns
    for episode in played:
        assert comparable(episode) == comparable(by_id[episode.episode_id]), episode.episode_id


def openai_action(choice: Any, completion: Any) -> dict[str, Any]:
    """What a trainer sends: the endpoint's assistant message plus the Choice's logprobs."""
    return {
        **choice.message.model_dump(exclude_none=True),
        "logprobs": choice.logprobs.model_dump() if choice.logprobs else None,
        "finish_reason": choice.finish_reason,
        "model": completion.model,
        "usage": {
            "prompt_tokens": completion.usage.prompt_tokens,
            "completion_tokens": completion.usage.completion_tokens,
        },
    }


def misbehaving_planner(body: dict[str, Any]) -> ScriptedReply:
    """A scripted model that makes every kind of mistake once, then transfers (by turn, so order-free)."""
    turn = sum(m["role"] == "assistant" for m in body["messages"])
    script = [
        ScriptedReply(tool_calls=[ScriptedToolCall(id="c0", name="transfer_to_human", arguments='{"department": "fr')]),
        ScriptedReply(tool_calls=[ScriptedToolCall(id="c1", name="refund", arguments={"amount": 5})]),
        ScriptedReply(
            tool_calls=[
                ScriptedToolCall(id="c2", name="transfer_to_human", arguments={"department": "pizza", "summary": "s"})
            ]
        ),
        ScriptedReply(text=""),
        ScriptedReply(text="x" * 100_000),
        ScriptedReply(tool_calls=[ScriptedToolCall(id="c5", name="delegate", arguments="[1, 2]")]),
        ScriptedReply(
            tool_calls=[
                ScriptedToolCall(
                    id="c6", name="transfer_to_human", arguments={"department": "fraud", "summary": "card 4821"}
                )
            ]
        ),
    ]
    return script[min(turn, len(script) - 1)].model_copy(update={"logprobs": True})


async def test_bad_actions_from_an_endpoint_are_invalid_actions_exactly_as_in_simulate() -> None:
    scenario = ccsim.generate_scenarios(1, seed=5)[0]
    with FakeOpenAIServer(misbehaving_planner) as server:
        planner = f"openai:fake-planner@{server.base_url}"
        run = await ccsim.asimulate([scenario], planner=planner, max_turns=10)
        client = AsyncOpenAI(base_url=server.base_url, api_key="test", max_retries=0)
        env = ContactCenterEnv([scenario], planner_label=planner, max_turns=10)
        observation = await env.reset(scenario)
        results: list[StepResult] = []
        while not results or not results[-1].done:
            completion = await client.chat.completions.create(
                model="fake-planner",
                messages=observation.messages,
                tools=observation.tools,
                logprobs=True,  # type: ignore[arg-type]
            )
            results.append(await env.step(openai_action(completion.choices[0], completion)))
            observation = results[-1].observation
    episode = results[-1].info.episode
    assert episode is not None
    assert [len(r.info.errors) for r in results] == [1, 1, 1, 1, 1, 1, 0]
    assert "not valid JSON" in results[0].info.errors[0] and "Unknown tool 'refund'" in results[1].info.errors[0]
    assert "unknown department 'pizza'" in results[2].info.errors[0] and "empty" in results[3].info.errors[0]
    assert "limit is 8000" in results[4].info.errors[0]
    assert [r.info.invalid_actions for r in results] == [1, 2, 3, 4, 5, 6, 6]
    assert episode.metrics is not None and episode.metrics.invalid_actions == 6
    assert results[-1].info.route == "fraud" and results[-1].reward == episode.reward
    # The trajectory carries what the model generated, broken JSON and logprobs included, as simulate's does.
    assert comparable(episode) == comparable(run.episodes[0])
    first = episode.planner_messages[2]
    assert first["choice"]["logprobs"] is not None
    assert first["tool_calls"][0]["function"]["arguments"] == '{"department": "fr'


@pytest.mark.parametrize(
    "action",
    [
        {"role": "assistant", "tool_calls": [{"function": {"name": "transfer_to_human", "arguments": "{oops"}}]},
        {"role": "assistant", "content": 42},
        {"role": "user", "content": "hi"},
        {"tool_calls": "nope"},
        {"role": "assistant", "tool_calls": [{"function": {"name": None, "arguments": None}}]},
        "",
        "y" * 100_000,
        {"role": "assistant", "content": [{"type": "text", "text": ""}]},
    ],
)
async def test_step_never_raises_for_a_bad_action(action: Any) -> None:
    scenario = ccsim.generate_scenarios(1, seed=2)[0]
    env = ContactCenterEnv([scenario])
    await env.reset(scenario)
    result = await env.step(action)
    assert not result.done
    assert result.info.invalid_actions == 1 and result.info.errors
    # The episode goes on: a valid action still routes it.
    call = {
        "id": "ok",
        "function": {"name": "transfer_to_human", "arguments": json.dumps({"department": "fraud", "summary": "s"})},
    }
    final = await env.step({"role": "assistant", "tool_calls": [call]})
    assert final.done and final.info.route == "fraud" and final.info.metrics is not None
    assert final.info.metrics.invalid_actions == 1


async def test_hooks_see_every_step_and_the_end_and_the_reward_is_the_rubric() -> None:
    scenarios = ccsim.generate_scenarios(4, seed=9)
    steps: list[StepResult] = []
    ended: list[Episode] = []

    async def on_episode_end(episode: Episode) -> None:
        ended.append(episode)

    def reward(episode: Episode) -> float:
        return 7.0 if episode.final_route == "fraud" else -1.0

    env = ContactCenterEnv(scenarios, reward=reward, on_step=steps.append, on_episode_end=on_episode_end)
    await env.reset(seed=1)
    await env.step("Could you tell me more?")
    transfer = {
        "id": "t",
        "function": {"name": "transfer_to_human", "arguments": '{"department": "fraud", "summary": "x"}'},
    }
    result = await env.step({"tool_calls": [transfer]})
    assert result.done and result.reward == 7.0 and ended == [result.info.episode]
    assert steps[-1] is result and len(steps) == 2 and not steps[0].done
    with pytest.raises(RuntimeError, match="reset"):
        await env.step("after the end")


async def test_reset_with_a_seed_draws_the_same_scenario_and_close_abandons_the_episode() -> None:
    scenarios = ccsim.generate_scenarios(30, seed=4)
    env = ContactCenterEnv(scenarios)
    first = await env.reset(seed=123)
    drawn = [first.scenario_id] + [(await env.reset()).scenario_id for _ in range(5)]
    again = await env.reset(seed=123)
    assert again == first
    assert len(set(drawn)) > 1
    assert first.tools[0]["function"]["name"] == "delegate"
    assert [m["role"] for m in first.messages] == ["system", "user"]
    await env.close()
    with pytest.raises(RuntimeError):
        await env.step("hello")


def test_the_sync_env_runs_outside_and_inside_an_event_loop() -> None:
    scenario = ccsim.generate_scenarios(1, seed=6)[0]
    transfer = {
        "id": "t",
        "function": {"name": "transfer_to_human", "arguments": '{"department": "hardship", "summary": "x"}'},
    }

    def play() -> StepResult:
        env = SyncContactCenterEnv([scenario])
        env.reset(scenario)
        return env.step({"tool_calls": [transfer]})

    assert play().info.route == "hardship"

    async def inside_a_loop() -> StepResult:
        return play()

    assert asyncio.run(inside_a_loop()).done


def test_the_base_install_imports_no_rl_library() -> None:
    code = (
        "import sys, ccsim, ccsim.env, ccsim.cli; "
        "print(sorted(m for m in ('gymnasium', 'openenv', 'verifiers', 'art') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]", done.stdout
