"""Run one planner over scenarios into a run folder, with a progress bar showing the running accuracy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from ccsim.agents.runner import RunAbortedError, RunSettings, run_episodes
from ccsim.contact_center.episode import Episode
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.pricing import PriceTable
from ccsim.contact_center.report import run_report_markdown
from ccsim.contact_center.run_folder import RunFolder
from ccsim.contact_center.summary import RunSummary, summarize


def run_config(settings: RunSettings, **extra: Any) -> dict[str, Any]:
    """What config.json records: enough to reproduce the run, and no secrets (keys stay in the environment)."""
    return {"settings": settings.model_dump(mode="json"), **extra}


class _RunningScore:
    def __init__(self, previous: Sequence[Episode]) -> None:
        self.done = len(previous)
        self.correct = sum(1 for e in previous if e.metrics and e.metrics.route_correct)
        self.errors = sum(1 for e in previous if e.status in ("error", "timeout"))

    def add(self, episode: Episode) -> None:
        self.done += 1
        self.correct += bool(episode.metrics and episode.metrics.route_correct)
        self.errors += episode.status in ("error", "timeout")

    def describe(self) -> str:
        accuracy = self.correct / self.done if self.done else 0.0
        return f"route acc {accuracy:.3f}  errors {self.errors}"


async def simulate_into(
    folder: RunFolder,
    scenarios: Sequence[Scenario],
    settings: RunSettings,
    *,
    console: Console | None = None,
    planner_model: BaseChatModel | None = None,
    prices: PriceTable | None = None,
    show_progress: bool = True,
) -> RunSummary:
    """Play every pending episode, append each to the folder as it finishes, then write the summary.

    A RunAbortedError still leaves a summary of what finished before it propagates.
    """
    console = console or Console(stderr=True)
    score = _RunningScore(folder.previous)
    total = len(scenarios) * settings.trials
    columns = (
        TextColumn("[bold]{task.fields[label]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    aborted: RunAbortedError | None = None
    with folder, Progress(*columns, console=console, disable=not show_progress, transient=False) as progress:
        task = progress.add_task(score.describe(), total=total, completed=score.done, label=settings.planner.label)

        def on_episode(episode: Episode) -> None:
            folder.append(episode)
            score.add(episode)
            progress.update(task, advance=1, description=score.describe())

        try:
            await run_episodes(
                scenarios,
                settings,
                on_episode=on_episode,
                skip=folder.finished_ids,
                planner_model=planner_model,
                prices=prices,
            )
        except RunAbortedError as exc:
            aborted = exc
    wanted = {s.id for s in scenarios}
    episodes = [e for e in folder.all_episodes() if e.scenario_id in wanted]
    summary = summarize(settings.planner.label, episodes)
    folder.write_summary(summary.model_dump(mode="json"), run_report_markdown(summary))
    if aborted is not None:
        raise aborted
    return summary
