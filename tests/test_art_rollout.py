"""`ccsim.training.rollout` in ART's convention, through ART's own `gather_trajectory_groups` (the example)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

import ccsim
from ccsim.training import rollout
from ccsim.training.art_adapter import Choice, Trajectory, make_trainable_model
from ccsim.training.art_train import RolloutFailedError
from tests.art_backend_double import RecordingBackend
from tests.fake_openai import FakeOpenAIServer, ScriptedReply, ScriptedToolCall

ROOT = Path(__file__).resolve().parents[1]


def fraud_planner(body: dict[str, Any]) -> ScriptedReply:
    call = ScriptedToolCall(name="transfer_to_human", arguments={"department": "fraud", "summary": "unknown charge"})
    return ScriptedReply(tool_calls=[call], logprobs=True)


@pytest.fixture(autouse=True)
def _no_wandb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WANDB_API_KEY", raising=False)


async def test_rollout_plays_one_episode_from_the_models_endpoint(tmp_path: Path) -> None:
    scenario = ccsim.generate_scenarios(1, seed=3, route_mix={"fraud": 1})[0]
    with FakeOpenAIServer(fraud_planner) as server:
        model = make_trainable_model(name="m", project="p", base_model="base", base_path=str(tmp_path))
        await model.register(RecordingBackend(server.base_url))
        trajectory = await rollout(model, scenario, trial=3)
        sent = server.requests[0]
    assert isinstance(trajectory, Trajectory)
    assert sent["model"] == "m@0" and sent["temperature"] == 1.0 and sent["logprobs"] is True
    choices = [m for m in trajectory.messages_and_choices if isinstance(m, Choice)]
    assert len(choices) == 1 and choices[0].logprobs is not None
    assert trajectory.metadata["predicted_route"] == "fraud" and trajectory.metadata["trial"] == 3
    assert trajectory.metrics["route_correct"] is True
    assert trajectory.reward == trajectory.metrics["programmatic_reward"] > 0


async def test_an_episode_that_errors_is_an_exception_for_art(tmp_path: Path) -> None:
    scenario = ccsim.generate_scenarios(1, seed=3)[0]
    with FakeOpenAIServer(lambda body: ScriptedReply(status=400)) as server:
        model = make_trainable_model(name="m", project="p", base_model="base", base_path=str(tmp_path))
        await model.register(RecordingBackend(server.base_url))
        with pytest.raises(RolloutFailedError):
            await rollout(model, scenario)


async def test_the_example_script_trains_with_gather_trajectory_groups(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("example_art_train", ROOT / "examples" / "art_train.py")
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    with FakeOpenAIServer(fraud_planner) as server:
        backend = RecordingBackend(server.base_url)
        model = await example.train(
            name="ex", project="p", steps=2, groups_per_step=2, rollouts_per_group=2, scenarios=6,
            backend=backend, base_path=str(tmp_path),
        )  # fmt: skip
    assert len(backend.train_calls) == 2 and await model.get_step() == 2
    for groups, kwargs in backend.train_calls:
        assert kwargs["learning_rate"] == 1e-5 and len(groups) == 2
        assert all(len(g.trajectories) == 2 for g in groups)
        assert all(any(isinstance(m, Choice) for m in t.messages_and_choices) for g in groups for t in g.trajectories)
    assert (tmp_path / "p" / "models" / "ex" / "history.jsonl").is_file()
