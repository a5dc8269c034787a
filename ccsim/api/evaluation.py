"""Evaluate: several planners on the same scenarios, one run each, and a leaderboard over their summaries."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ccsim.api.progress import Progress
from ccsim.api.runs import PlannerLike, PlayerSpec, Run, as_spec, asimulate, planner_settings, start_weave, sync_twin
from ccsim.contact_center.files import write_text_atomic
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.pricing import PriceTable
from ccsim.contact_center.report import leaderboard_markdown
from ccsim.contact_center.reward import RewardSpec
from ccsim.contact_center.summary import RunSummary

LEADERBOARD_MD = "leaderboard.md"
LEADERBOARD_JSON = "leaderboard.json"


class Leaderboard(BaseModel):
    """One run per planner on the same scenarios, in the order the planners were given."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    runs: list[Run]
    folder: Path | None = Field(default=None, description="Where leaderboard.md/.json and the run folders are.")

    @property
    def summaries(self) -> list[RunSummary]:
        return [run.summary for run in self.runs]

    def markdown(self) -> str:
        return leaderboard_markdown(self.summaries)

    def __str__(self) -> str:
        return self.markdown()


def folder_name(label: str) -> str:
    """A planner label as a folder name ('openai:gpt-4.1-mini' -> 'openai_gpt-4.1-mini')."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("_") or "planner"


async def aevaluate(
    scenarios: Sequence[Scenario],
    planners: Sequence[PlannerLike],
    *,
    customer: PlayerSpec = "scripted",
    helper: PlayerSpec = "scripted",
    concurrency: int = 8,
    trials: int = 1,
    max_turns: int = 8,
    timeout_s: float = 120.0,
    reward: RewardSpec = None,
    out: str | Path | None = None,
    resume: bool = False,
    trajectories: bool = True,
    prices: PriceTable | None = None,
    progress: Progress | None = None,
    provenance: Mapping[str, Any] | None = None,
    weave: bool | str | None = None,
) -> Leaderboard:
    """Run each planner on the same scenarios (one after another) and rank them.

    With `out`, each planner gets a run folder `out/<planner>` and the leaderboard is written as
    leaderboard.md and leaderboard.json. A planner whose run stops early keeps its partial summary and is
    marked by `Run.aborted`. `weave`: None mirrors each run into a Weave Evaluation when WANDB_API_KEY
    is set, a string names the Weave project, False never uses Weave.
    """
    labels = [planner_settings(p)[0].planner.label for p in planners]
    if len(set(labels)) != len(labels):
        raise ValueError(f"each planner must be different; got {', '.join(labels)}")
    folder = Path(out) if out is not None else None
    weave_on = start_weave(weave)
    runs: list[Run] = []
    for planner, label in zip(planners, labels, strict=True):
        run = await asimulate(
            scenarios,
            planner=planner,
            customer=as_spec(customer),
            helper=as_spec(helper),
            concurrency=concurrency,
            trials=trials,
            max_turns=max_turns,
            timeout_s=timeout_s,
            reward=reward,
            out=folder / folder_name(label) if folder is not None else None,
            resume=resume,
            trajectories=trajectories,
            prices=prices,
            progress=progress,
            provenance=provenance,
            weave=False,  # started once above, mirrored below
        )
        runs.append(run)
        if weave_on:
            from ccsim.contact_center.weave_eval import mirror_to_weave

            await mirror_to_weave(label, run.episodes)
    board = Leaderboard(runs=runs, folder=folder)
    if folder is not None:
        write_text_atomic(folder / LEADERBOARD_MD, board.markdown())
        rows = [s.model_dump(mode="json") for s in board.summaries]
        write_text_atomic(folder / LEADERBOARD_JSON, json.dumps(rows, indent=2) + "\n")
    return board


evaluate = sync_twin(aevaluate)
