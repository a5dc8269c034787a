"""The canonical episode loop: isolation, error capture, timeouts, early abort, resume."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from ccsim.agents.runner import EpisodeJob, RunAbortedError, RunSettings, run_episode, run_episodes
from ccsim.contact_center.config import EpisodeConfig, ModelSpec
from ccsim.contact_center.episode import Episode
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.taxonomy import Route
from ccsim.scenarios.generator import GenerationConfig, generate_scenarios
from tests.fake_openai import FakeOpenAIServer, ScriptedReply, ScriptedToolCall

RULES = ModelSpec(kind="rules")


@pytest.fixture(scope="module")
def scenarios():
    return generate_scenarios(GenerationConfig(count=24, seed=21))


def _openai(server: FakeOpenAIServer) -> ModelSpec:
    return ModelSpec(kind="openai", model="fake", base_url=server.base_url, max_retries=0, timeout_s=5)


async def test_concurrent_episodes_of_one_scenario_are_isolated(scenarios) -> None:
    scenario = next(s for s in scenarios if s.required_state)
    before = scenario.model_dump_json()
    first, second = await asyncio.gather(run_episode(scenario, planner=RULES), run_episode(scenario, planner=RULES))
    assert scenario.model_dump_json() == before  # the bank state is a copy, never the scenario itself
    assert first.state_changes == second.state_changes
    assert first.final_route == second.final_route
    assert [e.content for e in first.events] == [e.content for e in second.events]


async def test_a_failing_endpoint_is_recorded_and_the_run_goes_on(scenarios) -> None:
    with FakeOpenAIServer(responder=lambda body: ScriptedReply(status=500, error_message="upstream down")) as server:
        errored = await run_episode(scenarios[0], planner=_openai(server))
    assert errored.status == "error"
    assert errored.error is not None and "500" in errored.error and "upstream down" in errored.error
    assert errored.events[0].kind == "customer_message"  # the transcript up to the failure is kept
    assert errored.events[-1].kind == "error"
    assert errored.metrics is not None and errored.metrics.route is None
    fine = await run_episode(scenarios[1], planner=RULES)
    assert fine.status == "completed"


async def test_a_slow_endpoint_times_out_as_a_recorded_episode(scenarios) -> None:
    with FakeOpenAIServer(responder=lambda body: ScriptedReply(text="hmm", delay_s=1.0)) as server:
        episode = await run_episode(scenarios[0], planner=_openai(server), episode_config=EpisodeConfig(timeout_s=0.3))
    assert episode.status == "timeout"
    assert "TimeoutError" in (episode.error or "")


async def test_a_run_whose_episodes_mostly_fail_stops_early_keeping_what_finished(scenarios) -> None:
    seen: list[Episode] = []
    with FakeOpenAIServer(responder=lambda body: ScriptedReply(status=503)) as server:
        settings = RunSettings(planner=_openai(server), concurrency=2, abort_after=5, abort_failure_rate=0.8)
        with pytest.raises(RunAbortedError, match=r"stopped after \d+ of \d+ episodes failed"):
            await run_episodes(scenarios, settings, on_episode=seen.append)
    assert 5 <= len(seen) < len(scenarios)
    assert all(e.status == "error" for e in seen)


async def test_trials_give_each_episode_its_own_seed(scenarios) -> None:
    settings = RunSettings(planner=RULES, trials=3)
    episodes = await run_episodes(scenarios[:2], settings)
    assert sorted(e.episode_id for e in episodes) == sorted(f"{s.id}#{t}" for s in scenarios[:2] for t in range(3))
    assert len({e.seed for e in episodes}) == 6


async def test_jobs_play_with_their_own_planner_and_come_back_in_job_order(scenarios) -> None:
    def reply(body: dict) -> ScriptedReply:
        # The first jobs answer slowly, so they finish last.
        call = ScriptedToolCall(name="transfer_to_human", arguments={"department": "fraud", "summary": "charge"})
        return ScriptedReply(tool_calls=[call], delay_s=0.3 if body["model"] == "slow" else 0.0)

    completed: list[Episode] = []
    with FakeOpenAIServer(responder=reply) as server:
        slow, fast = _openai(server).model_copy(update={"model": "slow"}), _openai(server)
        jobs = [
            EpisodeJob(scenario=scenarios[0], trial=0, planner=slow),
            EpisodeJob(scenario=scenarios[0], trial=1, planner=slow),
            EpisodeJob(scenario=scenarios[1], trial=5),  # no planner of its own: the run's (rules) plays it
            EpisodeJob(scenario=scenarios[2], trial=0, planner=fast),
        ]
        settings = RunSettings(planner=RULES, concurrency=4)
        episodes = await run_episodes(jobs, settings, on_episode=completed.append, skip={f"{scenarios[2].id}#0"})
    assert [e.episode_id for e in episodes] == [f"{scenarios[0].id}#0", f"{scenarios[0].id}#1", f"{scenarios[1].id}#5"]
    assert completed[0].episode_id == episodes[2].episode_id  # finished first, returned last
    assert [e.final_route for e in episodes[:2]] == [Route.FRAUD, Route.FRAUD]
    alone = await run_episode(scenarios[1], planner=RULES, trial=5)
    assert [e.content for e in episodes[2].events] == [e.content for e in alone.events]
    assert {e.planner for e in episodes} == {"rules"}  # labelled by the run's spec


class _CountingScenarios(Sequence[Scenario]):
    """A run's scenarios that note when each one is taken, as a lazy file-backed sequence would read it."""

    def __init__(self, scenarios: list[Scenario], log: list[str]) -> None:
        self.scenarios, self.log = scenarios, log

    def __len__(self) -> int:
        return len(self.scenarios)

    def __getitem__(self, index: int) -> Scenario:  # type: ignore[override]
        if index >= len(self.scenarios):
            raise IndexError(index)
        self.log.append(f"take {index}")
        return self.scenarios[index]


async def test_jobs_are_made_as_episodes_start_not_all_up_front(scenarios) -> None:
    log: list[str] = []
    work = _CountingScenarios(scenarios[:4], log)
    settings = RunSettings(planner=RULES, concurrency=1)
    await run_episodes(work, settings, on_episode=lambda e: log.append(f"done {e.scenario_id}"), keep=False)
    ids = [s.id for s in scenarios[:4]]
    assert log == [entry for i in range(4) for entry in (f"take {i}", f"done {ids[i]}")]
