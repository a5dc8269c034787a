"""How the CLI shows things: progress bars fed by the API's progress events, and leaderboard tables."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from ccsim.api.progress import ProgressEvent
    from ccsim.contact_center.comparison import JudgeScore, PairedComparison
    from ccsim.contact_center.summary import RouteTally, RunSummary


def leaderboard_table(
    summaries: Sequence[RunSummary], title: str = "Leaderboard", judge: Mapping[str, JudgeScore] | None = None
) -> Table:
    """Metrics down, planners across: stays readable in an 80-column terminal for a handful of planners."""
    from ccsim.contact_center.report import leaderboard_rows

    columns, rows = leaderboard_rows(summaries, judge)
    table = Table(title=title)
    table.add_column("metric", no_wrap=True)
    for row in rows:
        # Text, not a markup string: a label like 'openai:x' must not turn into an emoji or a style.
        table.add_column(Text(row[0]), justify="right", overflow="fold")
    for i, column in enumerate(columns[1:], start=1):
        table.add_row(column, *(Text(row[i]) for row in rows))
    return table


def comparison_table(comparisons: Sequence[PairedComparison]) -> Table:
    """Every pair of planners: the paired difference A - B with its bootstrap 95% interval, and the verdict."""
    from ccsim.contact_center.report import comparison_rows

    columns, rows = comparison_rows(comparisons)
    table = Table(title="Paired comparisons (same scenarios, bootstrap 95% CI)")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    return table


def judge_failures(judge: Mapping[str, JudgeScore]) -> list[str]:
    """One line per planner whose episodes the RULER judge could not score (they are left out, not zeroed)."""
    return [
        f"RULER judge failed on {score.failures} episode(s) of {planner}: {'; '.join(score.errors[:1])}"
        for planner, score in judge.items()
        if score.failures
    ]


@contextmanager
def run_progress(console: Console, *, enabled: bool = True) -> Iterator[ProgressListener]:
    """A progress bar per planner run, with the running route accuracy and error count."""
    columns = (
        TextColumn("{task.fields[label]}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}", markup=False),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, disable=not enabled) as bars:
        yield ProgressListener(bars)


class ProgressListener:
    """Turns the API's progress events into rich progress bars (the library itself never draws)."""

    def __init__(self, bars: Progress) -> None:
        self._bars = bars
        self._tasks: dict[str, TaskID] = {}
        self._tallies: dict[str, RouteTally] = {}

    def __call__(self, event: ProgressEvent) -> None:
        from ccsim.api.progress import EpisodeFinished, RunStarted
        from ccsim.contact_center.summary import RouteTally

        if isinstance(event, RunStarted):
            tally = RouteTally.of(event.previous)
            self._tallies[event.planner] = tally
            self._tasks[event.planner] = self._bars.add_task(
                _describe(tally), total=event.total, completed=len(event.previous), label=event.planner
            )
        elif isinstance(event, EpisodeFinished):
            tally = self._tallies[event.planner]
            tally.add(event.episode)
            self._bars.update(self._tasks[event.planner], advance=1, description=_describe(tally))


def _describe(tally: RouteTally) -> str:
    return f"route acc {tally.accuracy:.3f}  errors {tally.failed}"
