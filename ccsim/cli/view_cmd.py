"""`ccsim view RUN`: browse a run's (or an eval's) episodes and read their conversations in the terminal.

The list comes from an index of episodes.jsonl (one short row and a byte offset per episode, no validation),
and an episode is read back only when it is opened, so a 10,000-episode run opens in about a second. In a
terminal it is a Textual app (the `view` extra); with `--print`, or when the output is not a terminal, it
prints the list (and `--episode ID`'s conversation) with rich.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ccsim.cli.common import console, fail

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table

    from ccsim.contact_center.episode import Episode
    from ccsim.contact_center.run_index import EpisodeRow, RunIndex

ROLE_STYLES = {
    "customer": ("customer", "bold cyan"),
    "planner": ("planner", "bold blue"),
    "action": ("planner action", "bold yellow"),
    "invalid": ("invalid action", "bold red"),
    "tool": ("tool", "dim"),
    "helper": ("helper", "bold green"),
    "handoff": ("handoff summary", "bold magenta"),
    "system": ("system", "italic dim"),
    "error": ("error", "bold red"),
}


def rows_table(rows: list[EpisodeRow], *, title: str | None = None) -> Table:
    """The episode list as a rich table (what --print shows)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title)
    for column in ("episode", "planner", "outcome", "expected", "chosen", "turns", "reward", "difficulty", "reason"):
        table.add_column(column, overflow="fold")
    for row in rows:
        colour = "green" if row.outcome == "ok" else "red"
        reward = "" if row.reward is None else f"{row.reward:+.3f}"
        cells = (row.episode_id, row.planner, row.outcome, row.expected_route, row.route or "none", str(row.turns))
        table.add_row(*(Text(c) for c in cells[:2]), Text(row.outcome, style=colour), *(Text(c) for c in cells[3:]),
                      Text(reward), Text(row.difficulty), Text(row.reason or ""))  # fmt: skip
    return table


def conversation_renderable(episode: Episode) -> RenderableType:
    """One episode: a header, then customer, planner, planner actions, helper tool calls and the handoff apart."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    from ccsim.contact_center.run_index import conversation, episode_failure

    reason = episode_failure(episode)
    expected = episode.metrics.expected_route.value if episode.metrics else "?"
    header = Text.assemble(
        (f"{episode.episode_id}", "bold"),
        f"  planner {episode.planner}  intent {episode.intent}  difficulty {episode.difficulty}\n",
        f"expected {expected}, chose {episode.final_route.value if episode.final_route else 'none'}, ",
        (reason or "ok", "bold red" if reason else "bold green"),
        f"  reward {episode.reward if episode.reward is not None else 'n/a'}",
    )
    parts: list[RenderableType] = [header, Text("")]
    for turn in conversation(episode):
        label, style = ROLE_STYLES[turn.role]
        if turn.role == "handoff":
            parts.append(Panel(Text(turn.text), title=f"handoff summary to {turn.actor}", border_style="magenta"))
            continue
        who = turn.actor if turn.role in ("tool", "helper") else label
        indent = "      " if turn.role == "tool" else ("   " if turn.role not in ("customer", "system") else "")
        parts.append(Text.assemble(indent, (f"{who}: ", style), (turn.text, "dim" if turn.role == "tool" else "")))
    return Group(*parts)


def _open(path: Path) -> list[RunIndex]:
    from ccsim.contact_center.run_index import open_runs

    try:
        return open_runs(path)
    except (FileNotFoundError, NotADirectoryError) as exc:
        fail(str(exc))


def view(
    run: Annotated[Path, typer.Argument(help="A run folder, or an eval folder holding one per planner.")],
    only_failed: Annotated[bool, typer.Option("--only-failed", help="Only episodes that failed.")] = False,
    route: Annotated[str | None, typer.Option(help="Only episodes expected at, or routed to, this route.")] = None,
    planner: Annotated[str | None, typer.Option(help="Only this planner (in an eval folder).")] = None,
    difficulty: Annotated[str | None, typer.Option(help="Only this difficulty.")] = None,
    episode: Annotated[str | None, typer.Option(help="Show this episode's conversation (with --print).")] = None,
    print_: Annotated[
        bool, typer.Option("--print", help="Print instead of browsing (the default when output is not a terminal).")
    ] = False,
) -> None:
    """Browse a run's episodes (outcome, expected vs chosen route, turns, reward) and open their conversations."""
    from ccsim.contact_center.run_index import select
    from ccsim.contact_center.taxonomy import Route

    routes = [r.value for r in Route]
    if route is not None and route not in routes:
        fail(f"--route: unknown route {route!r}; use one of: {', '.join(routes)}")
    indexes = _open(run)
    labels = [index.label for index in indexes]
    if planner is not None and planner not in labels:
        fail(f"no planner {planner!r} in {run}; it holds: {', '.join(labels)}")
    chosen = [(index, row) for index in indexes for row in index.rows]
    rows = set(
        id(row)
        for row in select(
            (row for _, row in chosen), only_failed=only_failed, route=route, difficulty=difficulty, planner=planner
        )
    )
    selected = [(index, row) for index, row in chosen if id(row) in rows]
    if print_ or episode is not None or not sys.stdout.isatty():
        _print(selected, episode, total=len(chosen))
        return
    try:
        from ccsim.cli.viewer import EpisodeBrowser
    except ImportError:
        fail("the terminal viewer needs Textual: pip install 'ccsim[view]' (or use --print)")
    EpisodeBrowser(selected, title=f"{run} ({len(selected)} of {len(chosen)} episodes)").run()


def _print(selected: list[tuple[RunIndex, EpisodeRow]], episode_id: str | None, *, total: int) -> None:
    if episode_id is None:
        console.print(rows_table([row for _, row in selected], title=f"{len(selected)} of {total} episodes"))
        return
    matches = [(index, row) for index, row in selected if row.episode_id == episode_id]
    if not matches:
        fail(f"no episode {episode_id!r} among the {len(selected)} selected")
    for index, row in matches:
        console.print(conversation_renderable(index.load(row)))
        console.print()
