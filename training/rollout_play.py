"""The built-in trainer's phases played through an injected `play(job)`: worker processes or Ray actors (issue 10).

training/ cannot open a pool (ccsim.api does, a layer above), so `train_builtin_async(play=...)` receives one
pool's `play` and every phase hands it jobs that carry their own planner. The policy changes after every
update, so each phase ships the weights as they are at its start, once: `PhaseWeights` writes each policy's
matrix to a file in the output folder that the workers map read-only, and a job's planner pickles as a
reference to that file: a job is 7 kB (its scenario, mostly) instead of 15 MB, which took 2 to 10 ms to pickle
and as much to unpickle, per job (benchmarks/builtin_training_workers.py). The file is new for each phase and
removed after it, so a worker never reads weights that are changing. On a Ray cluster the output folder must
be shared with the nodes.

The episodes are the ones this process would play: the same jobs, seeds and settings, the planner label
restored (the pool labels every episode with the label it was opened with).
"""

from __future__ import annotations

import contextlib
import contextvars
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from ccsim.agents.policies.builtin import BuiltinPlanner
from ccsim.agents.policies.builtin_policy import LinearSoftmaxPolicy
from ccsim.agents.policies.featurizer import FeaturizerConfig
from ccsim.agents.registry import PlannerModel
from ccsim.agents.runner import EpisodeJob, PlayJob, RunSettings, run_episodes
from ccsim.contact_center.config import EpisodeConfig, ModelSpec, parse_model_spec
from ccsim.contact_center.episode import Episode
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.reward import RewardSpec

# The pool a training run plays its phases through, bound by `train_builtin_async` for its own duration (a
# ContextVar is per task: two trainings in one event loop keep their own). Unset: this process plays.
_CURRENT_PLAY: contextvars.ContextVar[PlayJob | None] = contextvars.ContextVar("ccsim_rollout_play", default=None)


@contextlib.contextmanager
def playing_through(play: PlayJob | None) -> Iterator[None]:
    """Every phase `_play` runs inside this block goes through `play` (None: this process)."""
    token = _CURRENT_PLAY.set(play)
    try:
        yield
    finally:
        _CURRENT_PLAY.reset(token)


def current_play() -> PlayJob | None:
    return _CURRENT_PLAY.get()


def rollout_settings(
    label: str,
    *,
    customer: ModelSpec,
    helper: ModelSpec,
    episode: EpisodeConfig,
    reward: RewardSpec,
    concurrency: int,
) -> RunSettings:
    """The runner's settings for one phase (`label` names its episodes); the pool is opened with the same."""
    return RunSettings.model_validate(
        {
            "planner": parse_model_spec(label),
            "customer": customer,
            "helper": helper,
            "episode": episode,
            "reward": reward,
            "concurrency": concurrency,
        }
    )


class WeightsFile(BaseModel):
    """Where one phase's copy of a policy lies, and the small parts that travel by value."""

    model_config = ConfigDict(frozen=True)

    path: Path
    featurizer: FeaturizerConfig
    actions: tuple[str, ...]
    bias: tuple[float, ...]  # float32 -> float -> float32 is exact


class MappedPolicy(LinearSoftmaxPolicy):
    """A policy whose weights are a read-only map of a phase's file; it pickles as the file's reference."""

    def __init__(self, file: WeightsFile) -> None:
        # Not the base class's __init__: it builds a full matrix (and copies the one it is given), 15 MB and about
        # 15 ms per job, where the map costs a fraction of a millisecond and shares the pages.
        self.file = file
        self.featurizer = file.featurizer
        self.actions = file.actions
        self.weights = np.load(file.path, mmap_mode="r")
        self.bias = np.asarray(file.bias, dtype=np.float32)
        if self.weights.shape != (file.featurizer.dim, len(file.actions)):
            raise ValueError(f"{file.path} holds a {self.weights.shape} matrix; the policy needs another shape")

    def __reduce__(self) -> tuple[type[MappedPolicy], tuple[WeightsFile]]:
        return (MappedPolicy, (self.file,))


class PhaseWeights:
    """One phase's policy files: each distinct policy the phase's jobs play is written once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._shared: dict[int, tuple[LinearSoftmaxPolicy, MappedPolicy]] = {}

    def share(self, policy: LinearSoftmaxPolicy) -> MappedPolicy:
        # By identity: the 64 rollouts of a step hold one policy object; the pair keeps it alive (ids stay unique).
        known = self._shared.get(id(policy))
        if known is not None:
            return known[1]
        path = self.folder / f"policy-{len(self._shared)}.npy"
        np.save(path, np.ascontiguousarray(policy.weights, dtype=np.float32))
        file = WeightsFile(
            path=path,
            featurizer=policy.featurizer,
            actions=policy.actions,
            bias=tuple(float(b) for b in policy.bias.astype(np.float32)),
        )
        mapped = MappedPolicy(file)
        self._shared[id(policy)] = (policy, mapped)
        return mapped

    def job(self, job: EpisodeJob) -> EpisodeJob:
        """`job`, its built-in planner's policy replaced by this phase's mapped copy (same weights)."""
        if not isinstance(job.planner, BuiltinPlanner) or isinstance(job.planner.policy, MappedPolicy):
            return job
        planner = job.planner.model_copy(update={"policy": self.share(job.planner.policy)})
        return job.model_copy(update={"planner": planner})


def pool_jobs(
    work: Sequence[Scenario | EpisodeJob], settings: RunSettings, planner: PlannerModel | None
) -> list[EpisodeJob]:
    """Every item as a job with its own planner, as the runner would play it here: a pool plays only what a
    job names (it was opened before the phase, with no planner object of its own)."""
    fallback: ModelSpec | PlannerModel = planner if planner is not None else settings.planner
    jobs: list[EpisodeJob] = []
    for item in work:
        if isinstance(item, EpisodeJob):
            jobs.append(item if item.planner is not None else item.model_copy(update={"planner": fallback}))
        else:
            jobs.extend(EpisodeJob(scenario=item, trial=t, planner=fallback) for t in range(settings.trials))
    return jobs


async def play_phase(
    work: Sequence[Scenario | EpisodeJob],
    settings: RunSettings,
    *,
    planner: PlannerModel | None,
    play: PlayJob,
    scratch: Path,
) -> list[Episode]:
    """One phase through `play`, the built-in policies shipped once through files under `scratch`; the episodes
    in job order, labelled `settings.planner.label` as in this process."""
    scratch.mkdir(parents=True, exist_ok=True)
    # Absolute: a Ray actor on another node need not run in this process's working directory.
    with tempfile.TemporaryDirectory(dir=scratch.resolve(), prefix=".rollout-weights-") as folder:
        weights = PhaseWeights(Path(folder))
        jobs = [weights.job(job) for job in pool_jobs(work, settings, planner)]
        episodes = await run_episodes(jobs, settings, play=play)
    label = settings.planner.label
    return [e if e.planner == label else e.model_copy(update={"planner": label}) for e in episodes]
