"""The built-in trainer's episodes played by worker processes: the same rollouts, so the same weights (issue 10)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ccsim
from ccsim.agents.policies.builtin import BuiltinPlanner
from ccsim.agents.policies.builtin_policy import LinearSoftmaxPolicy
from ccsim.agents.policies.featurizer import HashingFeaturizerConfig
from ccsim.agents.runner import EpisodeJob, play_job
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.episode import Episode
from ccsim.scenarios.generator import GenerationConfig, generate_scenarios
from ccsim.training.builtin_train import BuiltinTrainConfig, BuiltinTrainReport
from ccsim.training.rollout_play import MappedPolicy, PhaseWeights, play_phase, rollout_settings

SMALL = HashingFeaturizerConfig(n_buckets=2**14)


def _config(out: Path) -> BuiltinTrainConfig:
    # The labels warm start too: its label-planner jobs and greedy evaluations go through the pool as well.
    return BuiltinTrainConfig(
        steps=3,
        groups_per_step=4,
        rollouts_per_group=3,
        generated_count=120,
        seed=5,
        val_every=2,
        val_limit=30,
        test_limit=20,
        featurizer=SMALL,
        warm_start="labels",
        warm_start_epochs=1,
        check_set=None,
        corpus_files=[],
        concurrency=6,
        output_dir=out,
    )


def _comparable(report: BuiltinTrainReport) -> dict[str, Any]:
    """Everything but wall times and paths (the two runs write to different folders)."""
    data = report.model_dump(mode="json", exclude={"config", "best_checkpoint", "latest_checkpoint", "curve_csv",
                                                   "curve_png", "train_seconds", "warm_start_seconds",
                                                   "episodes_per_second"})  # fmt: skip
    for point in data["curve"]:
        point.pop("elapsed_s")
    return data


def test_two_worker_processes_train_the_same_weights_as_this_process(tmp_path: Path) -> None:
    here = ccsim.train_builtin(_config(tmp_path / "here"), workers=1)
    pooled = ccsim.train_builtin(_config(tmp_path / "pooled"), workers=2)
    assert pooled.policy_sha256 == here.policy_sha256
    assert _comparable(pooled) == _comparable(here)
    assert here.warm_start_val is not None and here.episodes == 3 * 4 * 3
    assert not list((tmp_path / "pooled").glob(".rollout-weights-*")), "each phase removes its weights file"


def test_ray_actors_train_the_same_weights_as_this_process(tmp_path: Path) -> None:
    ray = pytest.importorskip("ray", reason='Ray is not installed (pip install "ccsim[ray]")')
    config = _config(tmp_path).model_copy(update={"steps": 2, "warm_start": "none"})
    here = ccsim.train_builtin(config.model_copy(update={"output_dir": tmp_path / "here"}), workers=1)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        on_ray = ccsim.train_builtin(
            config.model_copy(update={"output_dir": tmp_path / "ray"}), ray_address="local", workers=2
        )
    finally:
        ray.shutdown()
    assert on_ray.policy_sha256 == here.policy_sha256
    assert _comparable(on_ray) == _comparable(here)


def _policy(seed: int) -> LinearSoftmaxPolicy:
    policy = LinearSoftmaxPolicy(SMALL)
    policy.weights[:] = np.random.default_rng(seed).normal(size=policy.weights.shape)
    policy.bias[:] = np.random.default_rng(seed + 1).normal(size=policy.bias.shape)
    return policy


def test_a_job_pickles_as_a_reference_to_the_phase_weights_not_the_matrix(tmp_path: Path) -> None:
    policy = _policy(1)
    scenario = generate_scenarios(GenerationConfig(count=10, seed=2))[0]
    job = EpisodeJob(scenario=scenario, trial=1, planner=BuiltinPlanner(policy=policy, sample=True, seed=9))
    whole = len(pickle.dumps(job))
    shipped = PhaseWeights(tmp_path).job(job)
    small = len(pickle.dumps(shipped))
    assert whole > policy.weights.nbytes > 50 * small
    back = pickle.loads(pickle.dumps(shipped))
    assert isinstance(back.planner.policy, MappedPolicy)
    assert back.planner.policy.digest() == policy.digest()
    assert (back.planner.seed, back.planner.sample, back.trial) == (9, True, 1)


def test_each_phase_ships_the_weights_as_they_are_then(tmp_path: Path) -> None:
    policy = _policy(3)
    scenario = generate_scenarios(GenerationConfig(count=10, seed=2))[0]
    job = EpisodeJob(scenario=scenario, planner=BuiltinPlanner(policy=policy))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = pickle.dumps(PhaseWeights(tmp_path / "a").job(job))
    before = policy.digest()
    policy.weights[7] += 1.0  # an update between phases
    second = pickle.loads(pickle.dumps(PhaseWeights(tmp_path / "b").job(job)))
    assert pickle.loads(first).planner.policy.digest() == before
    assert second.planner.policy.digest() == policy.digest() != before


async def test_a_phase_plays_every_job_through_the_pool_and_keeps_this_process_labels(tmp_path: Path) -> None:
    scenarios = generate_scenarios(GenerationConfig(count=12, seed=4))[:4]
    settings = rollout_settings(
        "builtin:eval",
        customer=ModelSpec(kind="scripted"),
        helper=ModelSpec(kind="scripted"),
        episode=BuiltinTrainConfig().episode,
        reward=BuiltinTrainConfig().reward,
        concurrency=2,
    )
    pool_settings = settings.model_copy(update={"planner": ModelSpec(kind="builtin", path="pool")})
    played: list[EpisodeJob] = []

    async def play(job: EpisodeJob) -> Episode:
        played.append(job)
        # What a worker does: unpickle the job, play it under the pool's own settings (and label).
        return await play_job(pickle.loads(pickle.dumps(job)), pool_settings, planner=pool_settings.planner)

    planner = BuiltinPlanner(policy=_policy(5))
    episodes = await play_phase(scenarios, settings, planner=planner, play=play, scratch=tmp_path)
    assert [j.scenario.id for j in played] == [s.id for s in scenarios]
    assert all(isinstance(j.planner, BuiltinPlanner) for j in played)
    assert [e.planner for e in episodes] == ["builtin:eval"] * 4
    assert [e.scenario_id for e in episodes] == [s.id for s in scenarios]
    assert not list(tmp_path.iterdir()), "the phase's weights are removed when it ends"


@pytest.mark.parametrize(("workers", "pooled"), [(None, False), (1, False), (2, True)])
def test_training_plays_in_this_process_unless_workers_are_asked_for(
    workers: int | None, pooled: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ccsim.training.builtin_train as builtin_train

    seen: list[object] = []

    async def train(config: BuiltinTrainConfig, *, progress: object = None, play: object = None) -> str:
        seen.append(play)
        return "report"

    monkeypatch.setattr(builtin_train, "train_builtin_async", train)
    report: object = ccsim.train_builtin(output_dir=tmp_path, workers=workers)
    assert report == "report"
    assert (seen[0] is not None) is pooled
