"""The one module that imports `art` (OpenPipe ART); every other module goes through it.

It does two jobs:
- sets the environment ART needs before its first import (`import art` fetches a LiteLLM price list
  and initialises Weave unless told not to), and
- hides the API differences between openpipe-art 0.5.18 (newest for Python 3.11) and the newest
  releases (Python 3.12+, where `TrainableModel` requires `run_name`).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import inspect
import os
import shutil
from typing import Any

# Must precede `import art`: without these it downloads LiteLLM's price map and starts Weave.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("WEAVE_DISABLED", "true")
os.environ.setdefault("WANDB_DISABLE_WEAVE", "true")

import art
from art.rewards import ruler_score_group
from openai.types.chat.chat_completion import Choice
from pydantic import BaseModel, Field

Trajectory = art.Trajectory
TrajectoryGroup = art.TrajectoryGroup
TrainResult = art.TrainResult
Backend = art.Backend
Model = art.Model
TrainableModel = art.TrainableModel
# Typed loosely: ART's own annotation says awaitables, but it gathers TrajectoryGroups built from coroutines.
gather_trajectory_groups: Any = art.gather_trajectory_groups

ART_VERSION: str = importlib.metadata.version("openpipe-art")

__all__ = [
    "ART_VERSION",
    "Backend",
    "Choice",
    "InferenceEndpoint",
    "Model",
    "TrainResult",
    "TrainableModel",
    "Trajectory",
    "TrajectoryGroup",
    "art",
    "delete_old_checkpoints",
    "gather_trajectory_groups",
    "group_advantages",
    "inference_endpoint",
    "local_backend_missing",
    "log_groups",
    "log_metrics",
    "make_backend",
    "make_trainable_model",
    "ruler_score_group",
    "train_groups",
    "trainable_choices",
]


def _accepts(callable_: Any, parameter: str) -> bool:
    try:
        parameters = inspect.signature(callable_).parameters
    except (TypeError, ValueError):
        return False
    return parameter in parameters


def make_trainable_model(
    *, name: str, project: str, base_model: str, base_path: str, run_name: str | None = None
) -> art.TrainableModel:
    """A `TrainableModel`; `run_name` goes only to releases that have it (required from 0.5.20)."""
    kwargs: dict[str, Any] = {"name": name, "project": project, "base_model": base_model, "base_path": base_path}
    if _accepts(art.TrainableModel.__init__, "run_name") or "run_name" in art.TrainableModel.model_fields:
        kwargs["run_name"] = run_name or name
    return art.TrainableModel(**kwargs)


class InferenceEndpoint(BaseModel):
    """Where a registered model serves completions for its current checkpoint."""

    base_url: str = Field(description="OpenAI-compatible base URL (vLLM for local, W&B for serverless).")
    api_key: str = Field(description="Key for that endpoint.")
    model_name: str = Field(description="The model name to send, naming the current checkpoint.")


def inference_endpoint(model: art.Model) -> InferenceEndpoint:
    """The registered model's own OpenAI-compatible endpoint, which is what a rollout samples from."""
    if model.inference_base_url is None:
        raise RuntimeError("the ART model has no inference endpoint yet: call `await model.register(backend)` first")
    return InferenceEndpoint(
        base_url=model.inference_base_url,
        api_key=model.inference_api_key or "not-needed",
        model_name=model.get_inference_name(),
    )


async def train_groups(
    backend: Any, model: art.TrainableModel, groups: list[art.TrajectoryGroup], *, learning_rate: float
) -> art.TrainResult:
    """One GRPO update; `model.train(...)` is gone in both releases, `backend.train` returns a TrainResult."""
    return await backend.train(model, groups, learning_rate=learning_rate)


async def log_groups(
    model: art.Model, groups: list[art.TrajectoryGroup], *, split: str, step: int, metrics: dict[str, float]
) -> None:
    """Log trajectory groups with extra metrics; ART writes history.jsonl and a parquet file per step."""
    await model.log(groups, metrics=metrics, step=step, split=split)


async def log_metrics(model: art.Model, metrics: dict[str, float], *, split: str, step: int) -> None:
    await model.log(None, metrics=metrics, step=step, split=split)


async def delete_old_checkpoints(model: art.TrainableModel, *, best_metric: str) -> bool:
    """Keep the latest and the best (by `best_metric`) checkpoints; False when this ART cannot."""
    delete = getattr(model, "delete_checkpoints", None)
    if delete is None:
        return False
    await delete(best_checkpoint_metric=best_metric)
    return True


def local_backend_missing() -> list[str]:
    """What ART's LocalBackend lacks here, each with its fix; empty when it can start (GPU aside).

    The trainer (torch, Unsloth) comes with the `backend` extra. vLLM is not a Python dependency: ART ships
    a runtime bundle that it installs with `uv` on first use, unless ART_VLLM_RUNTIME_BIN names a server.
    """
    missing = [
        f"{module} (pip install 'openpipe-art[backend]')"
        for module in ("torch", "unsloth")
        if importlib.util.find_spec(module) is None
    ]
    runtime_bin = os.environ.get("ART_VLLM_RUNTIME_BIN")
    if not (runtime_bin and os.access(runtime_bin, os.X_OK)) and shutil.which("uv") is None:
        missing.append(
            "the vLLM runtime (install uv so ART can install its bundled runtime, or set ART_VLLM_RUNTIME_BIN)"
        )
    return missing


def make_backend(kind: str, *, path: str | None = None) -> Any:
    """ART's LocalBackend (GPU, vLLM) or ServerlessBackend (W&B); imported lazily, they pull heavy deps."""
    if kind == "local":
        from art.local import LocalBackend

        return LocalBackend(path=path) if path else LocalBackend()
    if kind == "serverless":
        from art.serverless import ServerlessBackend

        return ServerlessBackend()
    raise ValueError(f"unknown ART backend {kind!r}; expected 'local' or 'serverless'")


def trainable_choices(trajectory: art.Trajectory) -> list[Choice]:
    """The Choices ART will train on: only those carrying logprobs."""
    return [m for m in trajectory.messages_and_choices if isinstance(m, Choice) and m.logprobs is not None]


def group_advantages(group: art.TrajectoryGroup) -> list[float]:
    """GRPO advantages as ART's tokenizer computes them (reward minus the group mean, unscaled)."""
    rewards = [t.reward for t in group.trajectories]
    if not rewards:
        return []
    mean = sum(rewards) / len(rewards)
    return [r - mean for r in rewards]
