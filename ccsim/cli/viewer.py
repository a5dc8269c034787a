"""The Textual app behind `ccsim view`: an episode list, and a conversation screen opened from it.

Imported only by `ccsim view` (Textual is the optional `view` extra). The list holds index rows only; an
episode is read from its run folder when its conversation is opened.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from ccsim.cli.view_cmd import conversation_renderable
from ccsim.contact_center.run_index import EpisodeRow, RunIndex

CHUNK = 500
COLUMNS = ("episode", "planner", "outcome", "expected", "chosen", "turns", "reward", "difficulty", "reason")


def _cells(row: EpisodeRow) -> tuple[Text, ...]:
    colour = "green" if row.outcome == "ok" else "red"
    reward = "" if row.reward is None else f"{row.reward:+.3f}"
    return (
        Text(row.episode_id),
        Text(row.planner),
        Text(row.outcome, style=colour),
        Text(row.expected_route),
        Text(row.route or "none"),
        Text(str(row.turns)),
        Text(reward),
        Text(row.difficulty),
        Text(row.reason or ""),
    )


class ConversationScreen(Screen[None]):
    """One episode's whole conversation."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,backspace", "app.pop_screen", "back")]

    def __init__(self, index: RunIndex, row: EpisodeRow) -> None:
        super().__init__()
        self.index, self.row = index, row

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static(conversation_renderable(self.index.load(self.row)), id="conversation")
        yield Footer()


class EpisodeBrowser(App[None]):
    """The list of episodes; Enter opens one, f shows only failed ones."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "open", show=True, priority=False),
        Binding("f", "toggle_failed", "failed only"),
        Binding("q", "quit", "quit"),
    ]

    def __init__(self, rows: list[tuple[RunIndex, EpisodeRow]], *, title: str = "ccsim view") -> None:
        super().__init__()
        self.all_rows = rows
        self.shown = rows
        self.only_failed = False
        self._loaded = 0
        self.title = title

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="episodes", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        self._fill()

    def _fill(self) -> None:
        self.query_one(DataTable).clear()
        self.shown = [(i, r) for i, r in self.all_rows if r.failed] if self.only_failed else self.all_rows
        self._loaded = 0
        self._load_more()

    def _load_more(self) -> None:
        # A DataTable row costs about half a millisecond to add: rows come in chunks as the cursor reaches the
        # last loaded one, so a 10,000-episode run opens at once.
        chunk = self.shown[self._loaded : self._loaded + CHUNK]
        self.query_one(DataTable).add_rows(_cells(row) for _, row in chunk)
        self._loaded += len(chunk)
        failed = " (failed only)" if self.only_failed else ""
        more = f", {self._loaded} loaded: move down for more" if self._loaded < len(self.shown) else ""
        self.sub_title = f"{len(self.shown)} episodes{failed}{more}"

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self._loaded - 1 and self._loaded < len(self.shown):
            self._load_more()

    def action_toggle_failed(self) -> None:
        self.only_failed = not self.only_failed
        self._fill()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.cursor_row)

    def action_open(self) -> None:
        self._open(self.query_one(DataTable).cursor_row)

    def _open(self, position: int) -> None:
        if 0 <= position < len(self.shown):
            index, row = self.shown[position]
            self.push_screen(ConversationScreen(index, row))
