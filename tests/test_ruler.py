"""RULER through ART's `ruler_score_group`, with the loopback server as the LiteLLM judge."""

from __future__ import annotations

import json

import pytest

from ccsim.contact_center.taxonomy import Route
from ccsim.training.art_adapter import Choice, TrajectoryGroup
from ccsim.training.rewards import RewardBlend, score_group, score_groups
from ccsim.training.trajectory import episodes_to_groups
from tests.fake_openai import FakeOpenAIServer
from tests.test_trajectory import make_episode


def _group() -> TrajectoryGroup:
    # Programmatic rewards: correct route (high) then wrong department (low).
    episodes = [make_episode(trial=0, route=Route.FRAUD), make_episode(trial=1, route=Route.DISPUTES)]
    return episodes_to_groups(episodes)[0]


def _judge(server: FakeOpenAIServer, weight: float = 0.5) -> RewardBlend:
    return RewardBlend(ruler_weight=weight, judge_model="openai/judge", judge_base_url=server.base_url, judge_retries=0)


def _scores(*values: float) -> str:
    return json.dumps(
        {"scores": [{"trajectory_id": str(i), "explanation": "ok", "score": v} for i, v in enumerate(values, 1)]}
    )


async def test_judge_scores_are_blended_into_the_rewards() -> None:
    group = _group()
    programmatic = [t.reward for t in group]
    with FakeOpenAIServer() as server:
        # The judge prefers the second rollout, the opposite of the programmatic reward.
        server.enqueue(text=_scores(0.1, 0.9))
        scored, report = await score_group(group, _judge(server, weight=0.5))
        request = server.requests[0]
    assert report.groups == 1 and report.scored == 1 and report.failures == 0
    assert [t.reward for t in scored] == pytest.approx([0.5 * programmatic[0] + 0.05, 0.5 * programmatic[1] + 0.45])
    assert [t.metrics["ruler_score"] for t in scored] == [0.1, 0.9]
    assert [t.metrics["programmatic_reward"] for t in scored] == programmatic
    # The group stays trainable and keeps its scenario metadata.
    assert scored.metadata == group.metadata
    assert all(any(isinstance(m, Choice) and m.logprobs for m in t.messages_and_choices) for t in scored)
    # The judge saw the planner's trajectories and the tools, and was asked for RULER's JSON schema.
    assert request["response_format"]["type"] == "json_schema"
    assert "transfer_to_human" in request["messages"][1]["content"]


async def test_judge_http_error_falls_back_to_programmatic_and_is_counted() -> None:
    group = _group()
    with FakeOpenAIServer() as server:
        server.enqueue(status=500, error_message="judge is down")
        scored, report = await score_group(group, _judge(server))
    assert [t.reward for t in scored] == [t.reward for t in group]
    assert report.failures == 1 and report.scored == 0
    assert "judge is down" in report.errors[0]


@pytest.mark.parametrize("garbage", ["not json at all", _scores(0.5)])  # unparsable; wrong number of scores
async def test_judge_garbage_falls_back_and_is_counted(garbage: str) -> None:
    group = _group()
    with FakeOpenAIServer() as server:
        server.enqueue(text=garbage)
        scored, report = await score_group(group, _judge(server))
    assert [t.reward for t in scored] == [t.reward for t in group]
    assert report.failures == 1


async def test_batch_report_counts_scored_and_failed_groups() -> None:
    with FakeOpenAIServer() as server:
        server.enqueue(text=_scores(0.2, 0.7))
        server.enqueue(status=500)
        _, report = await score_groups([_group(), _group()], _judge(server))
    assert (report.groups, report.scored, report.failures) == (2, 1, 1)
