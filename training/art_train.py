"""The ART (GRPO) training loop for an LLM planner: `ccsim train --backend local|serverless` calls it.

One rollout is the canonical episode runner (`ccsim.agents.runner.run_episode`) on one scenario with the
planner played by the trained model's own OpenAI-compatible endpoint (temperature 1.0, logprobs on),
converted to an `art.Trajectory`. Each step gathers `groups_per_step` groups of `rollouts_per_group`
rollouts of the same scenario, optionally blends in RULER, trains, and logs; every `val_every` steps the
current checkpoint plays the val split greedily and its route accuracy and reward are logged.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import math
import os
import random
import shutil
import subprocess
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ccsim.agents.runner import run_episode
from ccsim.contact_center.config import EpisodeConfig, ModelSpec, parse_model_spec
from ccsim.contact_center.episode import Episode
from ccsim.contact_center.files import write_text_atomic
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.reward import RewardField, RewardSpec, as_rubric
from ccsim.contact_center.summary import RouteTally, episode_failed
from ccsim.scenarios.importer import import_scenarios
from ccsim.training import art_adapter
from ccsim.training.art_adapter import Trajectory, TrajectoryGroup
from ccsim.training.rewards import RewardBlend, RulerReport, score_groups
from ccsim.training.trajectory import episode_to_trajectory, episodes_to_groups

# ModelSpec is secret-free by design and reads its key from the environment; the ART endpoint's key goes here.
INFERENCE_KEY_ENV = "CCSIM_ART_INFERENCE_API_KEY"
REPORT_FILE = "art_train_report.json"


class PrerequisiteError(RuntimeError):
    """What must be installed or set before ART training can start, in one message."""


class ArtTrainConfig(BaseModel):
    """Everything one ART training run needs (the CLI builds it from flags; it is saved with the report)."""

    model_config = ConfigDict(extra="forbid")

    base_model: str = Field(default="Qwen/Qwen2.5-7B-Instruct", description="Hugging Face id of the base model.")
    model_name: str = Field(default="ccsim-planner", description="Name of the trained model (served alias).")
    run_name: str | None = Field(default=None, description="ART run name (newer ART); None uses model_name.")
    project: str = Field(default="ccsim", description="ART / W&B project.")
    backend: Literal["local", "serverless", "custom"] = Field(
        default="local", description="ART backend kind; 'custom' builds one with backend_factory."
    )
    backend_factory: str | None = Field(
        default=None,
        description="For backend='custom': 'module:callable' returning an object implementing art.Backend "
        "(another ART backend, or a test double). Its own prerequisites are its business.",
    )
    steps: int = Field(default=20, ge=1, description="Train until the model reaches this step (resumes).")
    groups_per_step: int = Field(default=4, ge=1, description="Scenarios per step.")
    rollouts_per_group: int = Field(default=4, ge=2, description="Rollouts per scenario (GRPO group size).")
    learning_rate: float = Field(default=1e-5, gt=0, description="Learning rate of each update.")
    reward: RewardBlend = Field(default_factory=RewardBlend, description="Programmatic weights and RULER blend.")
    train_scenarios: Path = Field(description="Training scenarios: .jsonl or .csv, full or minimal records.")
    val_scenarios: Path | None = Field(default=None, description="Val scenarios, likewise; None skips validation.")
    val_every: int = Field(default=5, ge=0, description="Validate every this many steps; 0 never.")
    val_size: int = Field(default=32, ge=1, description="Val scenarios played per validation.")
    customer: ModelSpec = Field(default_factory=lambda: ModelSpec(kind="scripted"), description="Customer player.")
    helper: ModelSpec = Field(default_factory=lambda: ModelSpec(kind="scripted"), description="Helper agents.")
    episode: EpisodeConfig = Field(default_factory=EpisodeConfig, description="Limits of one episode.")
    max_rollout_failures: float = Field(
        default=0.25,
        ge=0,
        description="Failed rollouts tolerated per step: a share of the step's rollouts when below 1, else a count.",
    )
    keep_best_and_latest_only: bool = Field(
        default=True, description="After each validation delete checkpoints other than the best and the latest."
    )
    seed: int = Field(default=0, description="Seed of the scenario order and of completing minimal records.")
    output_dir: Path = Field(default=Path("runs/art"), description="Where ART's files and the report go.")


class RolloutPlan(BaseModel):
    """Who plays one rollout, and how it is scored."""

    planner: ModelSpec
    customer: ModelSpec
    helper: ModelSpec
    episode_config: EpisodeConfig
    reward: RewardField
    trial: int = Field(ge=0)


Rollout = Callable[[Scenario, RolloutPlan], Awaitable[Episode]]


class RolloutFailedError(RuntimeError):
    """An episode that errored or timed out: infrastructure, not policy, so it is not trained on."""


class StepReport(BaseModel):
    step: int = Field(description="The model's step before this update.")
    trained_step: int | None = Field(description="The step the backend reported after training; None if skipped.")
    scenario_ids: list[str]
    trajectories: int
    exceptions: int
    groups_with_signal: int = Field(description="Groups whose rewards differ, so GRPO has an advantage.")
    mean_reward: float | None
    train_metrics: dict[str, float] = Field(default_factory=dict)


class ValReport(BaseModel):
    step: int
    episodes: int
    metrics: dict[str, float]


class ArtTrainReport(BaseModel):
    art_version: str
    model_name: str
    base_model: str
    backend: str
    start_step: int
    final_step: int
    train: list[StepReport] = Field(default_factory=list)
    val: list[ValReport] = Field(default_factory=list)
    best_step: int | None = Field(default=None, description="Step with the highest val reward.")
    best_val_reward: float | None = None
    checkpoints_pruned: bool = Field(default=False, description="ART deleted all but the best and latest.")
    ruler: RulerReport = Field(default_factory=RulerReport)
    report_path: str | None = None


# -- prerequisites ---------------------------------------------------------------------------------------


def cuda_gpu_visible() -> bool:
    """True when nvidia-smi lists a GPU (or, without nvidia-smi, torch sees CUDA)."""
    if shutil.which("nvidia-smi"):
        try:
            listed = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return listed.returncode == 0 and "GPU" in listed.stdout
    try:
        import torch  # heavy and optional: only asked when nvidia-smi is absent
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def check_prerequisites(
    config: ArtTrainConfig,
    *,
    environ: Mapping[str, str] | None = None,
    gpu_visible: Callable[[], bool] = cuda_gpu_visible,
    missing_local_parts: Callable[[], list[str]] = art_adapter.local_backend_missing,
    check_backend: bool = True,
) -> None:
    """Raise PrerequisiteError naming everything to install or set; cheap, and run before any work."""
    env = os.environ if environ is None else environ
    problems: list[str] = []
    if not config.train_scenarios.is_file():
        problems.append(f"train scenarios file {config.train_scenarios} does not exist (ccsim scenarios generate)")
    if config.val_scenarios is not None and not config.val_scenarios.is_file():
        problems.append(f"val scenarios file {config.val_scenarios} does not exist")
    if check_backend and config.backend == "local":
        if not gpu_visible():
            problems.append(
                "the local ART backend needs a CUDA GPU and none is visible (nvidia-smi lists none); "
                "run on a GPU machine or use --backend serverless with WANDB_API_KEY set"
            )
        missing = missing_local_parts()
        if missing:
            problems.append("the local ART backend needs " + ", ".join(missing))
    if check_backend and config.backend == "serverless" and not env.get("WANDB_API_KEY"):
        problems.append(
            "the serverless ART backend needs WANDB_API_KEY set (a W&B key with access to W&B Training); "
            "it supports only the large base models W&B serves"
        )
    if config.backend == "custom" and not config.backend_factory:
        problems.append("--backend custom needs --backend-factory MODULE:CALLABLE returning an ART backend")
    if problems:
        raise PrerequisiteError("cannot start ART training: " + "; ".join(problems))


# -- scenarios -------------------------------------------------------------------------------------------


def pick_train_scenarios(scenarios: Sequence[Scenario], *, step: int, count: int, seed: int) -> list[Scenario]:
    """The step's scenarios: a fresh seeded permutation per epoch, read in order, so every scenario is used
    once per epoch and a resumed run picks what the uninterrupted run would have."""
    if not scenarios:
        raise ValueError("no training scenarios")
    ordered = sorted(scenarios, key=lambda s: s.id)
    picked: list[Scenario] = []
    for index in range(step * count, (step + 1) * count):
        epoch, position = divmod(index, len(ordered))
        permutation = list(range(len(ordered)))
        random.Random(f"{seed}:{epoch}").shuffle(permutation)
        picked.append(ordered[permutation[position]])
    return picked


# -- rollouts --------------------------------------------------------------------------------------------


async def run_rollout(scenario: Scenario, plan: RolloutPlan) -> Episode:
    """The canonical episode runner: training plays exactly what evaluation plays."""
    return await run_episode(
        scenario,
        planner=plan.planner,
        customer=plan.customer,
        helper=plan.helper,
        episode_config=plan.episode_config,
        trial=plan.trial,
        reward=plan.reward,
    )


def planner_spec(model: art_adapter.Model, *, temperature: float) -> ModelSpec:
    """The trained model's current checkpoint as an 'openai' planner spec, logprobs on for training."""
    endpoint = art_adapter.inference_endpoint(model)
    os.environ[INFERENCE_KEY_ENV] = endpoint.api_key
    return ModelSpec(
        kind="openai",
        model=endpoint.model_name,
        base_url=endpoint.base_url,
        api_key_env=INFERENCE_KEY_ENV,
        temperature=temperature,
        logprobs=True,
    )


def _plan(config: ArtTrainConfig, planner: ModelSpec, trial: int) -> RolloutPlan:
    return RolloutPlan(
        planner=planner,
        customer=config.customer,
        helper=config.helper,
        episode_config=config.episode,
        reward=config.reward.programmatic,
        trial=trial,
    )


async def _trajectory(rollout: Rollout, scenario: Scenario, plan: RolloutPlan) -> Trajectory:
    episode = await rollout(scenario, plan)
    if episode_failed(episode):
        raise RolloutFailedError(f"{episode.episode_id}: {episode.status}: {episode.error}")
    return episode_to_trajectory(episode)


async def rollout(
    model: art_adapter.Model,
    scenario: Scenario,
    *,
    trial: int = 0,
    customer: ModelSpec | str = "scripted",
    helper: ModelSpec | str = "scripted",
    reward: RewardSpec = None,
    episode_config: EpisodeConfig | None = None,
    temperature: float = 1.0,
    plan: RolloutPlan | None = None,
    play: Rollout = run_rollout,
) -> Trajectory:
    """ART's rollout function (`async def rollout(model, scenario) -> art.Trajectory`): one episode of
    `scenario` with the planner sampled from `model`'s own endpoint (logprobs on), through the canonical
    runner, as a trainable trajectory. Use it with `art.gather_trajectory_groups` in your own loop;
    `ccsim train --backend` uses it too. `trial` seeds the episode (give each rollout of a group its own).
    An errored or timed-out episode raises RolloutFailedError (infrastructure, not policy: ART counts it
    as an exception, within `max_exceptions`). `plan` overrides everything but `scenario` and `play`.
    """
    if plan is None:
        plan = RolloutPlan(
            planner=planner_spec(model, temperature=temperature),
            customer=customer if isinstance(customer, ModelSpec) else parse_model_spec(customer),
            helper=helper if isinstance(helper, ModelSpec) else parse_model_spec(helper),
            episode_config=episode_config or EpisodeConfig(),
            reward=as_rubric(reward),
            trial=trial,
        )
    return await _trajectory(play, scenario, plan)


rollout_trajectory = rollout  # `gather_step_groups` takes a `rollout` argument (the episode player) of its own


def _max_exceptions(config: ArtTrainConfig) -> int:
    if config.max_rollout_failures >= 1:
        return int(config.max_rollout_failures)
    return math.floor(config.max_rollout_failures * config.groups_per_step * config.rollouts_per_group)


async def gather_step_groups(
    model: art_adapter.TrainableModel,
    scenarios: Sequence[Scenario],
    config: ArtTrainConfig,
    *,
    step: int,
    rollout: Rollout,
) -> list[TrajectoryGroup]:
    planner = planner_spec(model, temperature=1.0)
    groups = [
        TrajectoryGroup(
            (
                rollout_trajectory(
                    model, scenario, plan=_plan(config, planner, step * config.rollouts_per_group + r), play=rollout
                )
                for r in range(config.rollouts_per_group)
            ),
            metadata={"scenario_id": scenario.id, "step": step},
        )
        for scenario in scenarios
    ]
    return await art_adapter.gather_trajectory_groups(
        groups, pbar_desc=f"train step {step}", max_exceptions=_max_exceptions(config)
    )


# -- validation ------------------------------------------------------------------------------------------


def val_metrics(episodes: Sequence[Episode]) -> dict[str, float]:
    """Route accuracy and reward of the val split; errored episodes count as wrong."""
    n = len(episodes)
    scored = [e.metrics for e in episodes if e.metrics is not None]
    tally = RouteTally.of(episodes)

    def share(predicate: Callable[[Any], bool]) -> float:
        return sum(1 for m in scored if predicate(m)) / n

    return {
        "route_accuracy": tally.accuracy,
        "send_to_human_accuracy": share(lambda m: m.send_to_human_correct),
        "reward": sum(e.reward or 0.0 for e in episodes) / n,
        "invalid_actions": sum(m.invalid_actions for m in scored) / n,
        "turn_limit_rate": share(lambda m: m.turn_limit_hit),
        "planner_calls": sum(m.planner_calls for m in scored) / n,
        "error_rate": tally.failed / n,
    }


async def validate(
    model: art_adapter.TrainableModel,
    scenarios: Sequence[Scenario],
    config: ArtTrainConfig,
    *,
    step: int,
    rollout: Rollout,
) -> ValReport:
    planner = planner_spec(model, temperature=0.0)
    episodes = await asyncio.gather(*(rollout(scenario, _plan(config, planner, 0)) for scenario in scenarios))
    metrics = val_metrics(episodes)
    await art_adapter.log_groups(model, episodes_to_groups(episodes), split="val", step=step, metrics=metrics)
    return ValReport(step=step, episodes=len(episodes), metrics={f"val/{k}": v for k, v in metrics.items()})


# -- the loop --------------------------------------------------------------------------------------------


def _reward_spread(group: TrajectoryGroup) -> float:
    rewards = [t.reward for t in group.trajectories]
    return max(rewards) - min(rewards) if len(rewards) > 1 else 0.0


def load_backend_factory(path: str | None) -> Callable[[], Any]:
    """Import 'module:callable' for a custom ART backend, with one clear error when it is not there."""
    module_name, _, attribute = (path or "").partition(":")
    if not module_name or not attribute:
        raise PrerequisiteError("--backend custom needs --backend-factory MODULE:CALLABLE returning an ART backend")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise PrerequisiteError(f"cannot load the backend factory {path!r}: {exc}") from exc
    if not callable(factory):
        raise PrerequisiteError(f"the backend factory {path!r} is not callable")
    return factory


async def train_with_art(
    config: ArtTrainConfig, *, backend: Any | None = None, rollout: Rollout = run_rollout
) -> ArtTrainReport:
    """Train the planner with ART until `config.steps`; resumes from the model's current step.

    `backend` defaults to the configured ART backend; tests pass a double. `rollout` plays one episode.
    """
    check_prerequisites(config, check_backend=backend is None and config.backend != "custom")
    # The one loader, before any GPU time is spent: a bad record stops here, naming its file and line.
    train_set = import_scenarios(config.train_scenarios, seed=config.seed).scenarios
    val_set: list[Scenario] = []
    if config.val_scenarios is not None and config.val_every > 0:
        val_all = import_scenarios(config.val_scenarios, seed=config.seed).scenarios
        val_set = sorted(val_all, key=lambda s: s.id)[: config.val_size]
    config.output_dir.mkdir(parents=True, exist_ok=True)
    if backend is None and config.backend == "custom":
        backend = load_backend_factory(config.backend_factory)()
    if backend is None:
        backend = art_adapter.make_backend(config.backend, path=str(config.output_dir / ".art"))
    model = art_adapter.make_trainable_model(
        name=config.model_name,
        project=config.project,
        base_model=config.base_model,
        base_path=str(config.output_dir / ".art"),
        run_name=config.run_name,
    )
    await model.register(backend)
    start_step = await model.get_step()
    report = ArtTrainReport(
        art_version=art_adapter.ART_VERSION,
        model_name=config.model_name,
        base_model=config.base_model,
        backend=config.backend,
        start_step=start_step,
        final_step=start_step,
    )

    async def maybe_validate(step: int) -> None:
        if not val_set:
            return
        val = await validate(model, val_set, config, step=step, rollout=rollout)
        report.val.append(val)
        reward = val.metrics["val/reward"]
        if report.best_val_reward is None or reward > report.best_val_reward:
            report.best_step, report.best_val_reward = step, reward
        if config.keep_best_and_latest_only:
            report.checkpoints_pruned = await art_adapter.delete_old_checkpoints(model, best_metric="val/reward")

    for step in range(start_step, config.steps):
        if val_set and step % config.val_every == 0:
            await maybe_validate(step)
        scenarios = pick_train_scenarios(train_set, step=step, count=config.groups_per_step, seed=config.seed)
        groups = await gather_step_groups(model, scenarios, config, step=step, rollout=rollout)
        groups, ruler = await score_groups(groups, config.reward)
        report.ruler = report.ruler.merge(ruler)
        groups = [g for g in groups if g.trajectories]
        rewards = [t.reward for g in groups for t in g.trajectories]
        entry = StepReport(
            step=step,
            trained_step=None,
            scenario_ids=[s.id for s in scenarios],
            trajectories=len(rewards),
            exceptions=sum(len(g.exceptions) for g in groups),
            groups_with_signal=sum(1 for g in groups if _reward_spread(g) > 0),
            mean_reward=sum(rewards) / len(rewards) if rewards else None,
        )
        if groups:
            result = await art_adapter.train_groups(backend, model, groups, learning_rate=config.learning_rate)
            metrics = {**result.metrics, "ruler_failures": float(ruler.failures)}
            await art_adapter.log_groups(model, groups, split="train", step=result.step, metrics=metrics)
            entry.trained_step = result.step
            entry.train_metrics = {k: float(v) for k, v in result.metrics.items()}
        report.train.append(entry)
        _write_report(report, config)
    final_step = await model.get_step()
    if val_set and (not report.val or report.val[-1].step != final_step):
        await maybe_validate(final_step)
    report.final_step = final_step
    _write_report(report, config)
    return report


def _write_report(report: ArtTrainReport, config: ArtTrainConfig) -> None:
    path = config.output_dir / REPORT_FILE
    report.report_path = str(path)
    payload = {"config": json.loads(config.model_dump_json()), "report": json.loads(report.model_dump_json())}
    write_text_atomic(path, json.dumps(payload, indent=2))
