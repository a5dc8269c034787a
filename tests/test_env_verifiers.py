"""The verifiers environment, driven by verifiers' own entry points (`vf-eval`, its eval runner, the env server
prime-rl trains through), offline over the loopback model: the rewards are the ones `ccsim.simulate` gives."""

from __future__ import annotations

import asyncio
import json
import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

vf = pytest.importorskip("verifiers.v1", reason="verifiers >= 0.4 is not installed (pip install 'ccsim[verifiers]')")

import ccsim  # noqa: E402
from ccsim.contact_center.models import Scenario  # noqa: E402
from ccsim.contact_center.reward import default_rubric  # noqa: E402
from ccsim.env.verifiers_env import ENV_ID, ContactCenterVerifiersEnv, load_environment  # noqa: E402
from tests.fake_openai import FakeOpenAIServer, ScriptedReply, ScriptedToolCall  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# Human departments only: a transfer always ends the episode, whatever the generated opening.
DEPARTMENTS = ("fraud", "disputes", "hardship")


def planner(body: dict[str, Any]) -> ScriptedReply:
    """A planner that asks, then calls an unknown tool (an invalid action), then transfers to a department
    picked from the opening message, so the scenarios get different routes and rewards."""
    messages = body["messages"]
    turn = sum(m["role"] == "assistant" for m in messages)
    if turn == 0:
        return ScriptedReply(text="Could you tell me a bit more about what happened?")
    if turn == 1:
        return ScriptedReply(tool_calls=[ScriptedToolCall(name="refund", arguments={"amount": 5})])
    opening = next(m["content"] for m in messages if m["role"] == "user")
    department = DEPARTMENTS[len(opening) % len(DEPARTMENTS)]
    return ScriptedReply(
        tool_calls=[ScriptedToolCall(name="transfer_to_human", arguments={"department": department, "summary": "s"})]
    )


def scenarios(count: int) -> list[Scenario]:
    # The taskset's default pool: generated with seed 0 in the test split.
    return ccsim.generate_scenarios(count, seed=0, split="test")


async def simulated(server: FakeOpenAIServer, count: int) -> dict[str, tuple[float | None, str | None]]:
    run = await ccsim.asimulate(scenarios(count), planner=f"openai:fake-planner@{server.base_url}")
    return {e.scenario_id: (e.reward, None if e.final_route is None else str(e.final_route)) for e in run.episodes}


def conversations(requests: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The planner's requests, tool-call ids normalised (the fake server numbers them in arrival order)."""
    out = []
    for request in requests:
        ids: dict[str, str] = {}
        text = json.dumps(request["messages"], sort_keys=True)
        for message in request["messages"]:
            for call in message.get("tool_calls") or []:
                ids.setdefault(call["id"], f"call-{len(ids)}")
        for old, new in ids.items():
            text = text.replace(json.dumps(old), json.dumps(new))
        out.append(json.loads(text))
    return sorted(out, key=json.dumps)


def eval_config(server: FakeOpenAIServer, output_dir: Path, **env: Any) -> Any:
    from verifiers.v1.configs.cli.eval import EvalConfig

    return EvalConfig.model_validate(
        {
            "env": {"taskset": {"id": ENV_ID, "num_scenarios": 3}, **env},
            "model": "fake-planner",
            "client": {"type": "eval", "base_url": server.base_url, "api_key_var": "CCSIM_TEST_KEY"},
            "push": False,
            "rich": None,
            "output_dir": str(output_dir),
        }
    )


async def test_verifiers_eval_runner_gives_simulates_rewards_and_conversations(
    tmp_path: Path, no_network: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VF_RUN_ID", "ccsim-test")  # run_eval would set it for the rest of the session
    example = runpy.run_path(str(REPO / "examples" / "verifiers_eval.py"))  # the README's example, as written
    with FakeOpenAIServer(planner) as server:
        episodes = await example["evaluate"](
            base_url=server.base_url,
            model="fake-planner",
            num_scenarios=5,
            api_key_var="CCSIM_TEST_KEY",
            output_dir=str(tmp_path),
        )
        through_verifiers = list(server.requests)
        server.requests.clear()
        expected = await simulated(server, 5)
        through_simulate = list(server.requests)
    traces = [trace for episode in episodes for trace in episode.traces]
    assert len(traces) == 5 and all(trace.ok and not trace.errors for trace in traces)
    got = {t.task.data.scenario_id: (t.reward, t.state.route) for t in traces}
    assert got == expected
    assert len({reward for reward, _ in got.values()}) > 1  # the scenarios are told apart
    floor = default_rubric().min_reward
    for trace in traces:
        assert trace.rewards["ccsim_reward"].score == trace.reward
        assert trace.metrics["finished"] == 1.0 and trace.metrics["invalid_actions"] >= 1.0
        terms = sum(v for k, v in trace.metrics.items() if k.startswith("rubric/"))  # each term, before the clip
        assert (terms if floor is None else max(floor, terms)) == pytest.approx(trace.reward)
    # The model saw, turn for turn, the conversation simulate's planner saw, and ccsim's tools.
    assert conversations(through_verifiers) == conversations(through_simulate)
    assert all(r["tools"] == through_simulate[0]["tools"] for r in through_verifiers)
    # vf-eval's own output: the run's traces, one line per episode.
    (traces_file,) = tmp_path.glob("*/traces.jsonl")
    assert len(traces_file.read_text().splitlines()) == 5
    assert no_network == []  # verifiers tried no host but the loopback model (no uv, no sandbox, no platform)


def test_vf_eval_command_loads_the_environment_by_its_id(tmp_path: Path) -> None:
    vf_eval = Path(sys.executable).with_name("vf-eval")
    if not vf_eval.exists():
        pytest.skip("the vf-eval script is not installed beside this Python")
    with FakeOpenAIServer(planner) as server:
        argv = [str(vf_eval), ENV_ID, "-n", "2", "-m", "fake-planner", "--client.base-url", server.base_url]
        argv += ["--client.api-key-var", "CCSIM_TEST_KEY", "--no-push", "--no-rich", "-o", str(tmp_path)]
        argv += ["--env.taskset.num-scenarios", "4"]
        # The repository on the path: an editable install made before `ccsim_contact_center` existed lacks it.
        pythonpath = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": pythonpath}
        )
        assert done.returncode == 0, done.stderr[-3000:]
        server.requests.clear()
        expected = asyncio.run(simulated(server, 2))
    (traces_file,) = tmp_path.glob("*/traces.jsonl")
    records = [json.loads(line) for line in traces_file.read_text().splitlines()]
    traces = [trace for record in records for trace in record["traces"]]
    assert {t["task"]["data"]["scenario_id"]: t["rewards"]["ccsim_reward"]["score"] for t in traces} == {
        scenario_id: reward for scenario_id, (reward, _) in expected.items()
    }
    assert all(t["agent"]["config"]["harness"]["id"] == ENV_ID for t in traces)


async def test_the_env_server_prime_rl_trains_through_plays_an_episode(no_network: list[str]) -> None:
    from verifiers.v1.serve.client import EnvClient
    from verifiers.v1.serve.server import EnvServer

    env_config = vf.resolve_env_config({"taskset": {"id": ENV_ID, "num_scenarios": 2}})
    with FakeOpenAIServer(planner) as server:
        env_server = EnvServer(env_config, address="tcp://127.0.0.1:0")
        serving = asyncio.create_task(env_server.run())
        client = EnvClient(env_server.address)
        try:
            await client.wait_for_server_startup(timeout=30)
            # The trainer owns the taskset and ships each task's data; the server rebuilds the task from it.
            task = next(iter(env_server.env.taskset))
            episode = await client.run(
                vf.EvalClientConfig(base_url=server.base_url, api_key_var="CCSIM_TEST_KEY"),
                "fake-planner",
                vf.SamplingConfig(),
                task.data.model_dump(mode="json"),
            )
        finally:
            await client.close()
            serving.cancel()
            await asyncio.gather(serving, return_exceptions=True)
        server.requests.clear()
        expected = await simulated(server, 2)
    (trace,) = episode.traces
    assert trace.ok and trace.rewards["ccsim_reward"].score == expected[task.data.scenario_id][0]
    assert trace.num_turns == 3 and no_network == []


def hard_only(n: int, rng: Any) -> Scenario:
    """A curriculum for the sampling test: the n-th hard scenario of a fixed pool."""
    pool = [s for s in ccsim.generate_scenarios(40, seed=3) if s.difficulty.value == "hard"]
    return pool[n % len(pool)]


def always_one(episode: Any) -> float:
    return 1.0


def test_sampling_hooks_and_the_reward_come_from_the_config() -> None:
    weighted = load_environment(
        taskset={"num_scenarios": 30, "difficulty_weights": {"easy": 0, "medium": 0}, "num_tasks": 6},
        reward="tests.reward_plugins:strict",
    )
    assert isinstance(weighted, ContactCenterVerifiersEnv)
    tasks = list(weighted.taskset)
    assert len(tasks) == 6 and {t.data.difficulty for t in tasks} <= {"hard", "adversarial"}
    assert weighted.rubric.name == "strict"
    curriculum = load_environment(taskset={"curriculum": "tests.test_env_verifiers:hard_only", "num_tasks": 3})
    picked = [t.data.scenario_id for t in curriculum.taskset]
    assert picked == [hard_only(n, None).id for n in range(3)]
    in_process = load_environment(taskset={"num_scenarios": 2}, reward=always_one)  # a function, from Python
    assert isinstance(in_process, ContactCenterVerifiersEnv) and in_process.rubric.name == "always_one"
    # verifiers' own views apply to the taskset (vf-eval's -n, --select.*).
    assert [t.data.scenario_id for t in curriculum.taskset.take(2)] == picked[:2]


async def test_a_verifiers_turn_limit_ends_the_episode_with_no_reward(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verifiers.v1.cli.eval.runner import run_eval

    monkeypatch.setenv("VF_RUN_ID", "ccsim-test")

    with FakeOpenAIServer(planner) as server:
        config = eval_config(server, tmp_path, planner={"max_turns": 1})
        config.select.limit = 1
        (episode,) = await run_eval(config)
    (trace,) = episode.traces
    assert trace.reward == 0.0 and trace.metrics["finished"] == 0.0 and not trace.state.finished
    assert len(server.requests) == 1


async def test_step_hooks_see_every_planner_turn_and_the_finished_episode() -> None:
    steps: list[Any] = []
    ended: list[Any] = []
    env = load_environment(taskset={"num_scenarios": 1}, on_step=steps.append, on_episode_end=ended.append)
    with FakeOpenAIServer(planner) as server:
        client = vf.EvalClientConfig(base_url=server.base_url, api_key_var="CCSIM_TEST_KEY")
        context = vf.ModelContext(model="fake-planner", client=client, sampling=vf.SamplingConfig())
        # What vf-eval and the env server do with each task: serve the env, plan a slot, run it.
        async with env.serving():
            (slot,) = env.slots(next(iter(env.taskset)))
            episode = await env.run_slot(slot, context)
    assert [step.done for step in steps] == [False, False, True]
    assert steps[0].info.invalid_actions == 0 and steps[1].info.invalid_actions == 1  # the unknown tool
    assert ended == [steps[-1].info.episode] and episode.traces[0].reward == ended[0].reward
