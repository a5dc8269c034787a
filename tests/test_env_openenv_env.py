"""`ccsim serve-env` in a real server process, played over HTTP/WebSocket by OpenEnv's own client."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, convert_to_messages

import ccsim

pytest.importorskip("openenv.core", reason='the OpenEnv adapter needs `pip install "ccsim[openenv]"`')
from ccsim.agents.policies.rules import RulesPlanner
from ccsim.env import Action
from ccsim.env.openenv_env import ContactCenterAction, ContactCenterClient

EPISODES = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def scenarios() -> list[ccsim.Scenario]:
    return ccsim.generate_scenarios(EPISODES, seed=13)


@pytest.fixture(scope="module")
def server(scenarios: list[ccsim.Scenario], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("serve") / "scenarios.jsonl"
    ccsim.save_scenarios(path, scenarios)
    port = _free_port()
    ccsim_cli = Path(sys.executable).with_name("ccsim")
    process = subprocess.Popen(
        [str(ccsim_cli), "serve-env", "--port", str(port), "--scenarios", str(path), "--max-sessions", "8"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ENABLE_WEB_INTERFACE": "false"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    raise AssertionError(f"serve-env did not start: {output[-2000:]}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


async def play(url: str, scenario_ids: list[str]) -> list[tuple[str, str | None, float | None, int]]:
    """One client session plays its scenarios with the rules planner's decisions."""
    rules = RulesPlanner()
    played = []
    async with ContactCenterClient(base_url=url) as client:
        for scenario_id in scenario_ids:
            result = await client.reset(scenario_id=scenario_id)
            assert result.observation.tools[0]["function"]["name"] == "delegate"
            while not result.done:
                decision = await rules.ainvoke(convert_to_messages(result.observation.messages))
                assert isinstance(decision, AIMessage)
                action = ContactCenterAction(**Action.from_message(decision).model_dump(exclude={"role"}))
                result = await client.step(action)
            played.append((scenario_id, result.observation.route, result.reward, result.observation.turn))
    return played


async def test_an_openenv_client_in_another_process_plays_20_episodes(
    server: str, scenarios: list[ccsim.Scenario]
) -> None:
    ids = [s.id for s in scenarios]
    sessions = await asyncio.gather(*(play(server, ids[i::4]) for i in range(4)))  # 4 concurrent sessions
    played = {sid: (route, reward) for session in sessions for sid, route, reward, _ in session}
    assert len(played) == EPISODES
    expected = await ccsim.asimulate(scenarios, planner="rules")
    assert played == {e.scenario_id: (e.final_route, e.reward) for e in expected.episodes}


async def test_bad_actions_over_openenv_are_invalid_actions(server: str) -> None:
    async with ContactCenterClient(base_url=server) as client:
        first = await client.reset(seed=4)
        assert first.observation.messages[0]["role"] == "system" and not first.done
        broken = {"id": "b", "function": {"name": "transfer_to_human", "arguments": "{nope"}}
        result = await client.step(ContactCenterAction(tool_calls=[broken]))
        assert not result.done and result.observation.invalid_actions == 1
        assert "not valid JSON" in result.observation.errors[0]
        result = await client.step(ContactCenterAction(content=""))
        assert result.observation.invalid_actions == 2
        state = await client.state()
        assert state.step_count == 2 and state.scenario_id == first.observation.scenario_id
