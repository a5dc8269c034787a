"""Train the planner: the built-in policy by GRPO on the CPU, or an LLM planner with OpenPipe ART.

The configs and reports are the trainers' own pydantic models (`ccsim.training.builtin_train`,
`ccsim.training.art_train`); these functions are the stable front door. ART is imported only by
`train_art`, so the built-in trainer never pays for it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ccsim.api.runs import sync_twin

if TYPE_CHECKING:
    from ccsim.agents.runner import EpisodeJob
    from ccsim.api.pools import JobPool
    from ccsim.contact_center.episode import Episode
    from ccsim.training.art_train import ArtTrainConfig, ArtTrainReport
    from ccsim.training.builtin_train import BuiltinTrainConfig, BuiltinTrainReport, TrainProgress


# Processes that play the built-in trainer's episodes when the caller does not say: this process only. On 2
# shared cores a pool of 2 took 1.5x the wall time and 1.27x the CPU at the default config: the workers play the
# episodes, and this process featurizes the same turns again for the update, its caches cold for them
# (benchmarks/builtin_training_workers.py). A pool pays only with idle cores to spare.
DEFAULT_TRAIN_WORKERS = 1


async def atrain_builtin(
    config: BuiltinTrainConfig | None = None,
    *,
    progress: Callable[[TrainProgress], None] | None = None,
    workers: int | None = None,
    ray_address: str | None = None,
    **fields: Any,
) -> BuiltinTrainReport:
    """Train the built-in planner (a linear softmax policy) by GRPO through the canonical runner.

    Pass a `BuiltinTrainConfig`, or its fields as keywords (`steps=20, output_dir="runs/builtin"`).
    `progress` sees one `TrainProgress` per step. The report names the best checkpoint, to use as
    the planner spec `builtin:<path>`.

    `workers`: processes that play the episodes (default 1: this process; this process still does the
    updates). `ray_address` plays them as Ray actors instead ("local", or a cluster's address, whose nodes
    must see `output_dir`: each phase's weights are shared through a file there). Either way the episodes,
    and so the weights, are the same as in one process.
    """
    from ccsim.training.builtin_train import BuiltinTrainConfig, train_builtin_async

    if config is None or fields:
        config = BuiltinTrainConfig.model_validate((config.model_dump() if config else {}) | fields)
    from ccsim.api.pools import PoolSettings, job_pool
    from ccsim.training.rollout_play import rollout_settings

    settings = rollout_settings(
        "builtin:train",
        customer=config.customer,
        helper=config.helper,
        episode=config.episode,
        reward=config.reward,
        concurrency=config.concurrency,
    )
    pool_settings = PoolSettings(
        workers=workers or (None if ray_address else DEFAULT_TRAIN_WORKERS),
        ray_address=ray_address,
        episodes=max(1, config.steps * config.groups_per_step * config.rollouts_per_group),
        trajectories=False,
    )
    # Opened with one worker too: no process is started then, but this process gets the pool's collector
    # settings (ccsim/api/gc_tuning.py) either way, so the two are compared on equal terms.
    async with job_pool(pool_settings, settings=settings, planner_model=None, prices=None) as pool:
        play = None if pool is None else functools.partial(_play_dropping_lines, pool)
        return await train_builtin_async(config, progress=progress, play=play)


async def _play_dropping_lines(pool: JobPool, job: EpisodeJob) -> Episode:
    # The pool keeps each episode's run-folder lines for a writer; training writes none, so they would only pile up.
    episode = await pool.play(job)
    pool.lines.pop(episode.episode_id, None)
    return episode


train_builtin = sync_twin(atrain_builtin)


async def atrain_art(config: ArtTrainConfig, *, backend: Any | None = None) -> ArtTrainReport:
    """Post-train an LLM planner with ART (GRPO): gather groups of rollouts, train, validate, until `config.steps`.

    `config.backend` picks ART's LocalBackend (a CUDA GPU), ServerlessBackend (W&B) or a custom
    `module:callable`; or pass any object implementing `art.Backend` as `backend`. Missing prerequisites
    raise `PrerequisiteError` with one message before anything starts.
    """
    from ccsim.training.art_train import check_prerequisites, train_with_art

    if backend is None:
        check_prerequisites(config, check_backend=config.backend != "custom")
    return await train_with_art(config, backend=backend)


train_art = sync_twin(atrain_art)
