"""A faulty endpoint: knobs, retries of broken bodies, cancelled requests, runs that record every cause (issue 11)."""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import ccsim
from ccsim.agents.policies.openai_chat import EndpointResponseError, chat_model
from ccsim.agents.runner import run_episode
from ccsim.cli.app import app
from ccsim.contact_center.config import EpisodeConfig, ModelSpec
from ccsim.contact_center.episode import Episode
from ccsim.contact_center.run_folder import load_episodes
from tests.bank_fixtures import make_scenario
from tests.fake_openai import FakeOpenAIServer, ScriptedReply, ScriptedToolCall

runner = CliRunner()
TRANSFER = ScriptedToolCall(name="transfer_to_human", arguments={"department": "fraud", "summary": "unknown charge"})
CUT_OFF = '{"id": "x", "object": "chat.completion", "choi'
NO_CHOICES = '{"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": []}'


def spec(server: FakeOpenAIServer, **fields: Any) -> ModelSpec:
    return ModelSpec.model_validate({"kind": "openai", "model": "m", "base_url": server.base_url, **fields})


@pytest.mark.parametrize("body", [CUT_OFF, NO_CHOICES])
def test_a_broken_body_is_retried(body: str) -> None:
    with FakeOpenAIServer() as server:
        server.enqueue(raw_body=body)
        server.enqueue(text="hello")
        reply = asyncio.run(chat_model(spec(server, max_retries=1)).ainvoke("hi"))
        assert reply.content == "hello" and len(server.requests) == 2


@pytest.mark.parametrize(("body", "what"), [(CUT_OFF, "cut-off"), (NO_CHOICES, "without choices")])
def test_a_broken_body_that_persists_is_blamed_on_the_endpoint(body: str, what: str) -> None:
    with FakeOpenAIServer() as server:
        for _ in range(3):
            server.enqueue(raw_body=body)
        with pytest.raises(EndpointResponseError, match=f"the endpoint {server.base_url} sent .*{what}.*3 times"):
            asyncio.run(chat_model(spec(server, max_retries=2)).ainvoke("hi"))
        assert len(server.requests) == 3


def test_an_episode_timeout_closes_the_request_so_the_server_stops() -> None:
    delay = {"s": 0.0}
    with FakeOpenAIServer(lambda body: ScriptedReply(tool_calls=[TRANSFER], delay_s=delay["s"])) as server:
        planner = spec(server, max_retries=0)

        async def warm_then_slow() -> tuple[Episode, float]:
            # The first episode pays for imports and compiling the graph.
            warm = await run_episode(make_scenario(), planner=planner, episode_config=EpisodeConfig(timeout_s=30))
            assert warm.error is None, warm.error
            delay["s"] = 8.0
            server.requests.clear()
            started = time.monotonic()
            slow = await run_episode(make_scenario(), planner=planner, episode_config=EpisodeConfig(timeout_s=1.5))
            return slow, time.monotonic() - started

        episode, took = asyncio.run(warm_then_slow())
        assert episode.status == "timeout" and took < 4, episode.error
        assert len(server.requests) == 1
        deadline = time.monotonic() + 3
        while server.disconnects == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.disconnects == 1  # the server saw the client leave, long before its 5 s reply


def test_cli_endpoint_knobs_reach_the_request(tmp_path: Path) -> None:
    with FakeOpenAIServer(lambda body: ScriptedReply(tool_calls=[TRANSFER])) as server:
        result = runner.invoke(app, [
            "simulate", "--planner", f"openai:m@{server.base_url}", "--generate", "2", "-o", str(tmp_path / "r"),
            "--planner-timeout", "7.5", "--planner-retries", "1", "--planner-max-tokens", "33",
        ])  # fmt: skip
        assert result.exit_code == 0, result.output
        caps = [body.get("max_completion_tokens", body.get("max_tokens")) for body in server.requests]
        assert caps and set(caps) == {33}
    planner = json.loads((tmp_path / "r" / "config.json").read_text())["settings"]["planner"]
    assert (planner["timeout_s"], planner["max_retries"], planner["max_tokens"]) == (7.5, 1, 33)


class FaultyEndpoint:
    """Answers a transfer, or with probability `rate` one of: a 500, a cut-off body, no choices, a stall."""

    def __init__(self, rate: float, seed: int = 3) -> None:
        self.rate = rate
        self.random = random.Random(seed)
        self.lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> ScriptedReply:
        with self.lock:
            fault = self.random.random() < self.rate
            kind = self.random.choice(["500", "cut", "empty", "stall"])
        if not fault:
            return ScriptedReply(tool_calls=[TRANSFER])
        return {
            "500": ScriptedReply(status=500, error_message="overloaded"),
            "cut": ScriptedReply(raw_body=CUT_OFF),
            "empty": ScriptedReply(raw_body=NO_CHOICES),
            "stall": ScriptedReply(delay_s=8.0, tool_calls=[TRANSFER]),
        }[kind]


def _simulate(server: FakeOpenAIServer, out: Path, count: int) -> Any:
    return runner.invoke(app, [
        "simulate", "--planner", f"openai:m@{server.base_url}", "--generate", str(count), "-o", str(out),
        "--planner-retries", "0", "--planner-timeout", "3", "--concurrency", "32",
    ])  # fmt: skip


def test_30_percent_faults_complete_with_every_cause_recorded(tmp_path: Path) -> None:
    with FakeOpenAIServer(FaultyEndpoint(0.3)) as server:
        result = _simulate(server, tmp_path / "r", 120)
    assert result.exit_code == 0, result.output
    episodes, bad = load_episodes(tmp_path / "r" / "episodes.jsonl")
    assert len(episodes) == 120 and bad == 0
    failed = [e for e in episodes if e.status in ("error", "timeout")]
    assert 15 <= len(failed) <= 60
    causes = {(e.error or "").split(":")[0] for e in failed}
    assert causes <= {"OpenAIAPIError", "EndpointResponseError", "OpenAITimeoutError"}, causes
    assert all(e.error for e in failed)
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert sum(summary["errors_by_cause"].values()) == len(failed)


def test_100_percent_faults_stop_early_with_one_message(tmp_path: Path) -> None:
    with FakeOpenAIServer(FaultyEndpoint(1.0)) as server:
        result = _simulate(server, tmp_path / "r", 200)
    assert result.exit_code == 1
    assert result.output.count("stopped after") == 1, result.output
    episodes, _ = load_episodes(tmp_path / "r" / "episodes.jsonl")
    assert len(episodes) <= 25  # the run stops at the check (20 episodes), not after its 32 in flight finish


def test_logprobs_asked_for_but_not_sent_warn_once_and_are_counted(tmp_path: Path) -> None:
    with FakeOpenAIServer(lambda body: ScriptedReply(tool_calls=[TRANSFER], logprobs=False)) as server:
        result = runner.invoke(app, [
            "simulate", "--planner", f"openai:m@{server.base_url}", "--generate", "4", "-o", str(tmp_path / "r"),
            "--logprobs",
        ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.count("without logprobs") == 1, result.output
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["logprobs_missing"] == 4
    with FakeOpenAIServer(lambda body: ScriptedReply(tool_calls=[TRANSFER], logprobs=True)) as server:
        run = ccsim.simulate(ccsim.generate_scenarios(2, seed=1), planner=spec(server, logprobs=True))
    assert run.summary.logprobs_missing == 0


def test_a_timed_out_episode_is_errored_in_its_trajectory() -> None:
    from ccsim.training.trajectory import episode_to_trajectory

    with FakeOpenAIServer(lambda body: ScriptedReply(tool_calls=[TRANSFER], delay_s=5)) as server:
        episode = asyncio.run(
            run_episode(
                make_scenario(), planner=spec(server, max_retries=0), episode_config=EpisodeConfig(timeout_s=0.3)
            )
        )
    assert episode.status == "timeout"
    assert episode_to_trajectory(episode).metrics["errored"] is True
