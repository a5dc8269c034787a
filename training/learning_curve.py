"""The learning curve of a training run: one CSV row per step and a PNG of reward and validation accuracy."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ccsim.contact_center.files import write_bytes_atomic, write_text_atomic

CSV_FIELDS = (
    "step",
    "episodes",
    "elapsed_s",
    "train_reward",
    "train_route_accuracy",
    "val_route_accuracy",
    "val_reward",
    "phase",
)


class CurvePoint(BaseModel):
    """One training step; validation columns are set only on the steps that validated."""

    step: int = Field(ge=0, description="Update steps done (0: before any RL update).")
    episodes: int = Field(ge=0, description="Training episodes played so far.")
    elapsed_s: float = Field(ge=0, description="Wall time since training started.")
    train_reward: float | None = Field(default=None, description="Mean reward of this step's rollouts.")
    train_route_accuracy: float | None = Field(default=None, description="Route accuracy of this step's rollouts.")
    val_route_accuracy: float | None = Field(default=None, description="Greedy route accuracy on validation.")
    val_reward: float | None = Field(default=None, description="Greedy mean reward on validation.")
    phase: Literal["untrained", "warm_start", "rl"] = Field(
        default="rl",
        description="untrained: the zero policy (chance); warm_start: after imitation, before RL (both at step 0, "
        "so the imitation gain and the RL gain read apart); rl: after that many GRPO steps.",
    )


def write_curve_csv(points: Sequence[CurvePoint], path: str | Path) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for point in points:
        row = point.model_dump()
        writer.writerow({k: "" if row[k] is None else row[k] for k in CSV_FIELDS})
    write_text_atomic(path, buffer.getvalue())
    return Path(path)


def read_curve_csv(path: str | Path) -> list[CurvePoint]:
    with Path(path).open(encoding="utf-8") as handle:
        return [CurvePoint.model_validate({k: v for k, v in row.items() if v != ""}) for row in csv.DictReader(handle)]


def plot_curve(points: Sequence[CurvePoint], path: str | Path, *, title: str = "Built-in planner: GRPO") -> Path:
    """Train reward per step and validation accuracy/reward at the validation steps, with chance marked."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a training box
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    train = [(p.step, p.train_reward) for p in points if p.train_reward is not None]
    val_acc = [(p.step, p.val_route_accuracy) for p in points if p.val_route_accuracy is not None]
    val_reward = [(p.step, p.val_reward) for p in points if p.val_reward is not None]
    if train:
        ax.plot(*zip(*train, strict=True), color="tab:blue", alpha=0.6, label="train reward (sampled)")
    if val_reward:
        ax.plot(*zip(*val_reward, strict=True), "s--", color="tab:green", label="val reward (greedy)")
    if val_acc:
        ax.plot(*zip(*val_acc, strict=True), "o-", color="tab:orange", label="val route accuracy (greedy)")
    for p in points:
        if p.phase != "rl" and p.val_route_accuracy is not None:
            ax.annotate(p.phase.replace("_", " "), (p.step, p.val_route_accuracy), textcoords="offset points",
                        xytext=(6, -4), fontsize=8, color="tab:orange")  # fmt: skip
    ax.axhline(1 / 8, color="grey", linestyle=":", label="chance accuracy (1/8)")
    ax.set_xlabel("update step")
    ax.set_ylabel("reward / accuracy")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    image = io.BytesIO()
    fig.savefig(image, format="png", dpi=110)
    plt.close(fig)
    write_bytes_atomic(path, image.getvalue())
    return Path(path)
