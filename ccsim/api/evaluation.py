"""Evaluate: several planners on the same scenarios, one run each, and a leaderboard over their summaries."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ccsim.agents.preflight import apreflight
from ccsim.api.progress import Progress
from ccsim.api.runs import (
    PlannerLike,
    PlayerSpec,
    Run,
    as_spec,
    asimulate,
    planner_settings,
    player_specs,
    start_weave,
    sync_twin,
)
from ccsim.contact_center.comparison import JudgeScore, PairedComparison, compare_planners
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.files import write_text_atomic
from ccsim.contact_center.html_report import PlannerRun, write_report_html
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.pricing import PriceTable
from ccsim.contact_center.report import comparison_rows, leaderboard_markdown
from ccsim.contact_center.reward import RewardSpec
from ccsim.contact_center.summary import RunSummary

LEADERBOARD_MD = "leaderboard.md"
LEADERBOARD_JSON = "leaderboard.json"


class Leaderboard(BaseModel):
    """One run per planner on the same scenarios, in the order the planners were given."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    runs: list[Run]
    folder: Path | None = Field(default=None, description="Where leaderboard.md/.json and the run folders are.")
    comparisons: list[PairedComparison] = Field(
        default_factory=list, description="Every pair of planners on the same scenarios (route accuracy, reward)."
    )
    judge: dict[str, JudgeScore] | None = Field(
        default=None, description="Each planner's RULER score, when a judge was given."
    )

    @property
    def summaries(self) -> list[RunSummary]:
        return [run.summary for run in self.runs]

    def markdown(self) -> str:
        return leaderboard_markdown(self.summaries, self.comparisons, self.judge)

    def to_json(self) -> dict[str, Any]:
        """What leaderboard.json holds: the planners' summaries (with their RULER score), the comparisons."""
        planners = []
        for summary in self.summaries:
            row = summary.model_dump(mode="json")
            if self.judge is not None and summary.planner in self.judge:
                row["ruler"] = self.judge[summary.planner].model_dump(mode="json")
            planners.append(row)
        return {
            "planners": planners,
            "comparisons": [c.model_dump(mode="json") | {"statement": c.statement} for c in self.comparisons],
            "judge": next(iter(self.judge.values())).judge if self.judge else None,
        }

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
    preflight: bool = True,
    retry_failed: bool = True,
    judge: str | None = None,
    judge_base_url: str | None = None,
    judge_api_key_env: str = "OPENAI_API_KEY",
    workers: int | None = None,
    ray_address: str | None = None,
) -> Leaderboard:
    """Run each planner on the same scenarios (one after another) and rank them.

    With `out`, each planner gets a run folder `out/<planner>` and the leaderboard is written as
    leaderboard.md and leaderboard.json. A planner whose run stops early keeps its partial summary and is
    marked by `Run.aborted`. `weave`: None mirrors each run into a Weave Evaluation when WANDB_API_KEY
    is set, a string names the Weave project, False never uses Weave. `preflight` checks every planner,
    the customer and the helper before the first episode of the first planner (see `asimulate`).

    Every pair of planners is compared on the scenarios both played (route accuracy and reward, paired
    bootstrap 95% interval, verdict). `judge` (a LiteLLM model string; with `judge_base_url`, any model on
    that OpenAI-compatible endpoint) adds each planner's RULER score; ART loads only then. Judge failures
    are counted per planner, never scored as 0.

    `workers` and `ray_address` spread each planner's episodes over processes or a Ray cluster (see
    `asimulate`); the planners still play one after another.
    """
    labels = [planner_settings(p)[0].planner.label for p in planners]
    if len(set(labels)) != len(labels):
        raise ValueError(f"each planner must be different; got {', '.join(labels)}")
    if preflight:
        checks: list[tuple[str, ModelSpec]] = []
        for planner in planners:
            settings, model = planner_settings(planner, customer=customer, helper=helper)
            checks.extend(player_specs(settings, planner_object=model is not None))
        await apreflight(checks)
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
            preflight=False,  # checked once above
            retry_failed=retry_failed,
            workers=workers,
            ray_address=ray_address,
        )
        runs.append(run)
    episodes = {run.planner: run.episodes for run in runs}
    judged = None
    if judge:
        from ccsim.training.ruler_eval import judge_planners  # ART (and litellm) load only for a judge

        judged = await judge_planners(
            episodes, judge=judge, base_url=judge_base_url, api_key_env=judge_api_key_env, concurrency=concurrency
        )
    board = Leaderboard(runs=runs, folder=folder, comparisons=compare_planners(episodes), judge=judged)
    if weave_on:
        from ccsim.contact_center.weave_eval import mirror_to_weave

        for run in runs:
            ruler = judged.get(run.planner) if judged else None
            extra = {"ruler_score": ruler.score, "ruler_judge_failures": ruler.failures} if ruler else None
            await mirror_to_weave(run.planner, run.episodes, run.summary, extra_summary=extra)
    if folder is not None:
        write_text_atomic(folder / LEADERBOARD_MD, board.markdown())
        write_text_atomic(folder / LEADERBOARD_JSON, json.dumps(board.to_json(), indent=2) + "\n")
        tables = [("Paired comparisons", *comparison_rows(board.comparisons))] if board.comparisons else []
        runs_shown = [PlannerRun(run.planner, run.summary, run.episodes) for run in runs]
        write_report_html(folder, runs_shown, judge=board.judge, tables=tables)
    return board


evaluate = sync_twin(aevaluate)
