"""A test double for ART's `Backend` protocol: inference points at a loopback FakeOpenAIServer, `train` records.

`art.Backend` is a Protocol, so the real `TrainableModel.register`, `get_step`, `log` and
`delete_checkpoints` run unchanged against this class; only the GPU/W&B work is replaced.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from ccsim.training.art_adapter import TrainResult, TrajectoryGroup


class RecordingBackend:
    """Implements what `TrainableModel` and the training loop call; everything it is given is kept."""

    def __init__(self, base_url: str, *, api_key: str = "double-key", start_step: int = 0) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.step = start_step
        self.registered: list[str] = []
        self.train_calls: list[tuple[list[TrajectoryGroup], dict[str, Any]]] = []
        self.kept_checkpoints: list[list[int]] = []
        self.closed = False

    # -- the Backend protocol --------------------------------------------------------------------
    def _model_inference_name(self, model: Any, step: int | None = None) -> str:
        return f"{model.name}@{self.step if step is None else step}"

    async def close(self) -> None:
        self.closed = True

    async def register(self, model: Any) -> None:
        self.registered.append(model.name)

    async def _get_step(self, model: Any) -> int:
        return self.step

    async def _delete_checkpoint_files(self, model: Any, steps_to_keep: list[int]) -> None:
        self.kept_checkpoints.append(sorted(set(steps_to_keep)))

    async def _prepare_backend_for_training(self, model: Any, config: Any = None) -> tuple[str, str]:
        return self.base_url, self.api_key

    async def train(self, model: Any, trajectory_groups: Iterable[TrajectoryGroup], **kwargs: Any) -> TrainResult:
        groups = list(trajectory_groups)
        self.train_calls.append((groups, kwargs))
        self.step += 1
        trajectories = sum(len(g.trajectories) for g in groups)
        return TrainResult(step=self.step, metrics={"loss/train": 0.5 / self.step, "data/trajectories": trajectories})

    @asynccontextmanager
    async def exact_adapter_lease(self, model: Any, step: int) -> AsyncIterator[None]:
        # Newer ART (0.5.2x) pins a checkpoint while sampling from it; nothing to pin here.
        yield

    def _train_sft(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("SFT is not part of the ccsim training loop")


BASE_URL_ENV = "CCSIM_TEST_BACKEND_BASE_URL"
LAST: list[RecordingBackend] = []


def from_env() -> RecordingBackend:
    """A factory for `ccsim train --backend custom --backend-factory tests.art_backend_double:from_env`."""
    import os

    backend = RecordingBackend(os.environ[BASE_URL_ENV])
    LAST.append(backend)
    return backend
