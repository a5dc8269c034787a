"""Train the ccsim planner with your own OpenPipe ART loop, using ccsim's rollout function.

    python examples/art_train.py --base-model Qwen/Qwen2.5-7B-Instruct --steps 20   # a CUDA GPU (LocalBackend)

`ccsim.training.rollout(model, scenario)` is ART's rollout convention: it plays one contact-center
episode with the planner sampled from the model's own endpoint (logprobs on) and returns a trainable
`art.Trajectory` scored by ccsim's reward. Everything else below is plain ART. `ccsim train --backend`
runs the same loop with validation, RULER and checkpoint pruning on top.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import art

import ccsim
from ccsim.training import rollout
from ccsim.training.art_adapter import make_trainable_model


async def train(
    *,
    base_model: str = "Qwen/Qwen2.5-7B-Instruct",
    name: str = "ccsim-planner",
    project: str = "ccsim",
    steps: int = 20,
    groups_per_step: int = 8,
    rollouts_per_group: int = 4,
    learning_rate: float = 1e-5,
    scenarios: int = 400,
    backend: Any = None,
    base_path: str = ".art",
) -> art.TrainableModel:
    """GRPO on generated scenarios; `backend` defaults to ART's LocalBackend (needs a CUDA GPU)."""
    if backend is None:
        from art.local import LocalBackend

        backend = LocalBackend(path=base_path)
    # art.TrainableModel(name=..., project=..., base_model=...); the helper adds `run_name` on ART >= 0.5.20.
    model = make_trainable_model(name=name, project=project, base_model=base_model, base_path=base_path)
    await model.register(backend)
    train_set = ccsim.generate_scenarios(scenarios, seed=1, split="train")
    for step in range(await model.get_step(), steps):
        batch = [train_set[(step * groups_per_step + i) % len(train_set)] for i in range(groups_per_step)]
        groups = await art.gather_trajectory_groups(
            (
                art.TrajectoryGroup(
                    rollout(model, scenario, trial=step * rollouts_per_group + r) for r in range(rollouts_per_group)
                )
                for scenario in batch
            ),
            pbar_desc=f"step {step}",
            max_exceptions=rollouts_per_group,  # a failed endpoint call drops that rollout, not the step
        )
        result = await backend.train(model, groups, learning_rate=learning_rate)
        await model.log(groups, metrics=result.metrics, step=result.step, split="train")
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-model", default="Qwen/Qwen2.5-7B-Instruct")
    parser.add_argument("--name", default="ccsim-planner")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--groups-per-step", type=int, default=8)
    parser.add_argument("--rollouts-per-group", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(
        train(
            base_model=args.base_model,
            name=args.name,
            steps=args.steps,
            groups_per_step=args.groups_per_step,
            rollouts_per_group=args.rollouts_per_group,
        )
    )


if __name__ == "__main__":
    main()
