"""The ART training loop end to end: real runner, real ART model/logging, a recording backend, a loopback LLM."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ccsim.contact_center.episode import Episode
from ccsim.contact_center.models import Scenario, Split
from ccsim.contact_center.taxonomy import Route
from ccsim.scenarios.importer import import_scenarios
from ccsim.scenarios.io import ScenarioFileError
from ccsim.training.art_adapter import Choice, group_advantages, trainable_choices
from ccsim.training.art_train import (
    ArtTrainConfig,
    PrerequisiteError,
    RolloutPlan,
    check_prerequisites,
    pick_train_scenarios,
    run_rollout,
    train_with_art,
)
from tests.art_backend_double import RecordingBackend
from tests.bank_fixtures import make_scenario
from tests.fake_openai import FakeOpenAIServer, ScriptedReply, ScriptedToolCall


def _planner_reply(body: dict[str, Any]) -> ScriptedReply:
    """'good' rollouts transfer to fraud, which is right; the others delegate, which is wrong. Greedy (val) play
    is good only for checkpoint 0, so the best checkpoint is not the latest."""
    greedy = body.get("temperature") == 0
    good = body["model"] == "ccsim-test@0" if greedy else body["model"].endswith("|good")
    if good:
        call = ScriptedToolCall(
            name="transfer_to_human", arguments={"department": "fraud", "summary": "Unknown charge"}
        )
    else:
        call = ScriptedToolCall(name="delegate", arguments={"agent": "card_services", "task": "Lock the card"})
    return ScriptedReply(tool_calls=[call], logprobs=True)


class CountingRollout:
    """The real runner, counted; the planner's model name carries which behaviour the loopback should play."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    async def __call__(self, scenario: Scenario, plan: RolloutPlan) -> Episode:
        self.calls.append((scenario.id, plan.trial))
        if plan.planner.temperature > 0:
            behaviour = "good" if plan.trial % 2 else "bad"
            planner = plan.planner.model_copy(update={"model": f"{plan.planner.model}|{behaviour}"})
            plan = plan.model_copy(update={"planner": planner})
        return await run_rollout(scenario, plan)


def _write_scenarios(path: Path, ids: list[str], split: Split) -> Path:
    base = make_scenario(expected_route=Route.FRAUD)
    lines = [
        base.model_copy(update={"id": sid, "split": split, "seed": 10 + i}).model_dump_json()
        for i, sid in enumerate(ids)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ArtTrainConfig:
    monkeypatch.delenv("WANDB_API_KEY", raising=False)  # model.log would start a W&B run
    return ArtTrainConfig(
        model_name="ccsim-test",
        project="ccsim-tests",
        backend="local",
        steps=2,
        groups_per_step=2,
        rollouts_per_group=2,
        learning_rate=3e-6,
        train_scenarios=_write_scenarios(tmp_path / "train.jsonl", ["t-1", "t-2", "t-3"], Split.TRAIN),
        val_scenarios=_write_scenarios(tmp_path / "val.jsonl", ["v-1", "v-2"], Split.VAL),
        val_every=1,
        val_size=2,
        output_dir=tmp_path / "out",
    )


def _history(config: ArtTrainConfig) -> list[dict[str, Any]]:
    path = config.output_dir / ".art" / config.project / "models" / config.model_name / "history.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_two_steps_train_on_trainable_groups_and_log_val_metrics(config: ArtTrainConfig) -> None:
    rollout = CountingRollout()
    with FakeOpenAIServer(_planner_reply) as server:
        backend = RecordingBackend(server.base_url)
        report = await train_with_art(config, backend=backend, rollout=rollout)
        requests = list(server.requests)

    assert backend.registered == ["ccsim-test"]
    assert len(backend.train_calls) == 2
    for groups, kwargs in backend.train_calls:
        assert kwargs == {"learning_rate": 3e-6}
        assert len(groups) == 2 and all(len(g) == 2 for g in groups)
        for group in groups:
            for trajectory in group:
                choices = trainable_choices(trajectory)
                assert choices and all(isinstance(c, Choice) for c in choices)
                assert choices[0].logprobs.content[0].token.startswith("token_id:")  # type: ignore[union-attr]
            assert all(abs(a) > 1e-6 for a in group_advantages(group)), "rewards must differ within a group"

    # Rollouts: 2 steps x 2 groups x 2 rollouts, plus val (2 scenarios) at steps 0, 1 and 2.
    train_calls = [c for c in rollout.calls if c[0].startswith("t-")]
    assert len(train_calls) == 8 and len(rollout.calls) == 8 + 6
    # Train rollouts sample at temperature 1 with logprobs from the current checkpoint's name.
    train_requests = [r for r in requests if r["temperature"] == 1.0]
    assert all(r["logprobs"] is True for r in train_requests)
    assert {r["model"].split("|")[0] for r in train_requests} == {"ccsim-test@0", "ccsim-test@1"}

    assert report.start_step == 0 and report.final_step == 2
    assert [v.step for v in report.val] == [0, 1, 2]
    assert [v.metrics["val/route_accuracy"] for v in report.val] == [1.0, 0.0, 0.0]
    assert [v.metrics["val/send_to_human_accuracy"] for v in report.val] == [1.0, 0.0, 0.0]
    assert report.best_step == 0 and report.best_val_reward == report.val[0].metrics["val/reward"]
    assert [s.trained_step for s in report.train] == [1, 2]
    assert all(s.groups_with_signal == 2 for s in report.train)
    # ART's delete_checkpoints keeps the latest and the best by val/reward from history.jsonl.
    assert backend.kept_checkpoints[-1] == [0, 2]

    history = _history(config)
    val_rows = [row for row in history if "val/route_accuracy" in row]
    assert [row["step"] for row in val_rows] == [0, 1, 2]
    assert all({"val/send_to_human_accuracy", "val/reward"} <= row.keys() for row in val_rows)
    train_rows = [row for row in history if "train/reward" in row]
    assert [row["step"] for row in train_rows] == [1, 2]
    assert all("loss/train" in row for row in train_rows)

    saved = json.loads((config.output_dir / "art_train_report.json").read_text())
    assert saved["report"]["final_step"] == 2 and saved["config"]["model_name"] == "ccsim-test"


async def test_resume_continues_from_the_models_step_with_the_same_scenarios(config: ArtTrainConfig) -> None:
    rollout = CountingRollout()
    config = config.model_copy(update={"val_every": 0})
    with FakeOpenAIServer(_planner_reply) as server:
        backend = RecordingBackend(server.base_url, start_step=1)
        report = await train_with_art(config, backend=backend, rollout=rollout)
    assert len(backend.train_calls) == 1 and report.start_step == 1 and report.final_step == 2
    scenarios = [s.id for s in pick_train_scenarios(_scenarios(config), step=1, count=2, seed=config.seed)]
    assert report.train[0].scenario_ids == scenarios
    assert sorted({sid for sid, _ in rollout.calls}) == sorted(set(scenarios))
    assert {trial for _, trial in rollout.calls} == {2, 3}  # step 1's trials, distinct from step 0's


async def test_failed_rollouts_are_dropped_within_the_budget(config: ArtTrainConfig) -> None:
    inner = CountingRollout()

    async def flaky(scenario: Scenario, plan: RolloutPlan) -> Episode:
        episode = await inner(scenario, plan)
        if plan.trial == 0 and scenario.id == "t-1":
            return episode.model_copy(update={"status": "error", "error": "APIConnectionError: down"})
        return episode

    config = config.model_copy(update={"steps": 1, "val_every": 0, "max_rollout_failures": 1})
    with FakeOpenAIServer(_planner_reply) as server:
        backend = RecordingBackend(server.base_url)
        report = await train_with_art(config, backend=backend, rollout=flaky)
    picked = [s.id for s in pick_train_scenarios(_scenarios(config), step=0, count=2, seed=config.seed)]
    groups, _ = backend.train_calls[0]
    expected_trajectories = 4 - picked.count("t-1")
    assert sum(len(g) for g in groups) == expected_trajectories == report.train[0].trajectories
    assert report.train[0].exceptions == picked.count("t-1")


def _scenarios(config: ArtTrainConfig) -> list[Scenario]:
    return import_scenarios(config.train_scenarios).scenarios


def test_scenario_order_is_seeded_and_covers_every_scenario_each_epoch(config: ArtTrainConfig) -> None:
    scenarios = _scenarios(config)
    epoch = [s.id for step in range(3) for s in pick_train_scenarios(scenarios, step=step, count=1, seed=7)]
    assert sorted(epoch) == ["t-1", "t-2", "t-3"]
    again = [s.id for step in range(3) for s in pick_train_scenarios(scenarios, step=step, count=1, seed=7)]
    assert again == epoch
    orders = {
        tuple(s.id for step in range(3) for s in pick_train_scenarios(scenarios, step=step, count=1, seed=seed))
        for seed in range(10)
    }
    assert len(orders) > 1


def test_local_backend_without_gpu_or_vllm_fails_with_what_to_install(config: ArtTrainConfig) -> None:
    with pytest.raises(PrerequisiteError) as raised:
        check_prerequisites(config, gpu_visible=lambda: False, missing_local_parts=lambda: ["unsloth (pip install x)"])
    message = str(raised.value)
    assert "CUDA GPU" in message and "unsloth (pip install x)" in message
    check_prerequisites(config, gpu_visible=lambda: True, missing_local_parts=list)


def test_serverless_backend_needs_wandb_key(config: ArtTrainConfig) -> None:
    serverless = config.model_copy(update={"backend": "serverless"})
    with pytest.raises(PrerequisiteError, match="WANDB_API_KEY"):
        check_prerequisites(serverless, environ={})
    check_prerequisites(serverless, environ={"WANDB_API_KEY": "k"})


def test_missing_scenario_file_is_reported(config: ArtTrainConfig, tmp_path: Path) -> None:
    missing = config.model_copy(update={"train_scenarios": tmp_path / "nope.jsonl"})
    with pytest.raises(PrerequisiteError, match=r"nope\.jsonl"):
        check_prerequisites(missing, environ={}, gpu_visible=lambda: True, missing_local_parts=list)


async def test_training_fails_fast_before_any_rollout(config: ArtTrainConfig) -> None:
    rollout = CountingRollout()
    serverless = config.model_copy(update={"backend": "serverless"})  # WANDB_API_KEY removed by the fixture
    with pytest.raises(PrerequisiteError, match="WANDB_API_KEY"):
        await train_with_art(serverless, rollout=rollout)
    assert rollout.calls == []
    assert not serverless.output_dir.exists()


async def test_scenario_files_go_through_the_one_loader_before_any_rollout(
    config: ArtTrainConfig, tmp_path: Path
) -> None:
    minimal = {"id": "m-1", "opening_message": "someone used my card", "expected_route": "fraud", "needs_human": True}
    bad = tmp_path / "bad.jsonl"
    bad.write_text(config.train_scenarios.read_text() + json.dumps(minimal) + "\n{not json\n", encoding="utf-8")
    rollout = CountingRollout()
    # Line 4, a minimal record, is completed like everywhere else; line 5 stops the run, named.
    with pytest.raises(ScenarioFileError, match=r"bad\.jsonl, line 5: malformed JSON"):
        await train_with_art(config.model_copy(update={"train_scenarios": bad}), backend=object(), rollout=rollout)
    assert rollout.calls == []
