"""JSONL export keeps Choices (with logprobs) trainable, where ART's own pydantic round trip does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccsim.contact_center.taxonomy import Route
from ccsim.training.art_adapter import Choice, Trajectory, trainable_choices
from ccsim.training.trajectory import episode_to_trajectory
from ccsim.training.trajectory_io import dumps_trajectory, load_trajectories, loads_trajectory, write_trajectories
from tests.test_trajectory import make_episode


def test_arts_plain_json_round_trip_turns_choices_into_untrainable_dicts() -> None:
    original = episode_to_trajectory(make_episode())
    assert len(trainable_choices(original)) == 1
    plain = Trajectory.model_validate_json(original.model_dump_json())
    # Why trajectory_io exists: the Choice comes back as a dict, which ART treats as a prompt message.
    assert not any(isinstance(item, Choice) for item in plain.messages_and_choices)
    assert trainable_choices(plain) == []


def test_our_round_trip_restores_choices_with_logprobs_intact() -> None:
    original = episode_to_trajectory(make_episode())
    restored = loads_trajectory(dumps_trajectory(original))
    assert len(restored.messages_and_choices) == len(original.messages_and_choices)
    for before, after in zip(original.messages_and_choices, restored.messages_and_choices, strict=True):
        assert type(before) is type(after)
        if isinstance(before, Choice):
            assert after.model_dump() == before.model_dump()
        else:
            assert after == before
    assert trainable_choices(restored)[0].logprobs.content[0].token == "token_id:100"  # type: ignore[union-attr]
    assert restored.reward == original.reward
    assert restored.metrics == original.metrics
    assert restored.metadata == original.metadata
    assert restored.tools == original.tools


def test_items_are_tagged_so_loading_is_unambiguous() -> None:
    record = json.loads(dumps_trajectory(episode_to_trajectory(make_episode())))
    assert [item["type"] for item in record["messages_and_choices"]] == ["message", "message", "choice", "message"]
    record["messages_and_choices"][0].pop("type")
    with pytest.raises(ValueError, match="type"):
        loads_trajectory(json.dumps(record))


def test_write_appends_and_load_reads_every_line(tmp_path: Path) -> None:
    path = tmp_path / "run" / "trajectories.jsonl"
    first = [episode_to_trajectory(make_episode(trial=0)), episode_to_trajectory(make_episode(trial=1))]
    second = [episode_to_trajectory(make_episode(trial=2, route=Route.DISPUTES))]
    assert write_trajectories(path, first) == 2
    assert write_trajectories(path, second) == 1
    loaded = load_trajectories(path)
    assert [t.metadata["trial"] for t in loaded] == [0, 1, 2]
    assert [t.reward for t in loaded] == [t.reward for t in first + second]
    assert all(len(trainable_choices(t)) == 1 for t in loaded)


def test_a_record_of_another_format_is_refused() -> None:
    with pytest.raises(ValueError, match=r"ccsim\.trajectory/v1"):
        loads_trajectory(json.dumps({"messages_and_choices": []}))
