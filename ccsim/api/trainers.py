"""Train the planner: the built-in policy by GRPO on the CPU, or an LLM planner with OpenPipe ART.

The configs and reports are the trainers' own pydantic models (`ccsim.training.builtin_train`,
`ccsim.training.art_train`); these functions are the stable front door. ART is imported only by
`train_art`, so the built-in trainer never pays for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ccsim.api.runs import sync_twin

if TYPE_CHECKING:
    from ccsim.training.art_train import ArtTrainConfig, ArtTrainReport
    from ccsim.training.builtin_train import BuiltinTrainConfig, BuiltinTrainReport, TrainProgress


def train_builtin(
    config: BuiltinTrainConfig | None = None,
    *,
    progress: Callable[[TrainProgress], None] | None = None,
    **fields: Any,
) -> BuiltinTrainReport:
    """Train the built-in planner (a linear softmax policy) by GRPO through the canonical runner.

    Pass a `BuiltinTrainConfig`, or its fields as keywords (`steps=20, output_dir="runs/builtin"`).
    `progress` sees one `TrainProgress` per step. The report names the best checkpoint, to use as
    the planner spec `builtin:<path>`.
    """
    from ccsim.training.builtin_train import BuiltinTrainConfig
    from ccsim.training.builtin_train import train_builtin as _train

    if config is None or fields:
        config = BuiltinTrainConfig.model_validate((config.model_dump() if config else {}) | fields)
    return _train(config, progress=progress)


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
