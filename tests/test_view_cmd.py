"""`ccsim view`: the printed list and conversation, and the Textual browser driven by its pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import ccsim
from ccsim.cli import app
from ccsim.contact_center.run_index import EpisodeRow

runner = CliRunner()
FAILING = "py:tests.plugins:always_fraud"


def ccsim_cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "250"})
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> ccsim.Leaderboard:
    out = tmp_path_factory.mktemp("view") / "eval"
    scenarios = ccsim.generate_scenarios(8, seed=21)
    return ccsim.evaluate(scenarios, ["rules", FAILING], out=out, trajectories=False)


def test_print_lists_an_eval_folder_and_filters_it(board: ccsim.Leaderboard) -> None:
    assert board.folder is not None
    failing = board.runs[1]
    failed = [e for e in failing.episodes if EpisodeRow.of(e).failed]
    code, output = ccsim_cli("view", str(board.folder), "--print")
    assert code == 0 and "16 of 16 episodes" in output and "rules" in output
    code, output = ccsim_cli("view", str(board.folder), "--only-failed", "--planner", FAILING)
    assert code == 0 and f"{len(failed)} of 16 episodes" in output
    assert all(e.episode_id in output for e in failed)
    assert "wrong route: expected" in output
    code, output = ccsim_cli("view", str(board.folder), "--route", "pizza")
    assert code == 1 and "unknown route 'pizza'" in output and "fraud" in output
    code, output = ccsim_cli("view", str(board.folder), "--planner", "nobody")
    assert code == 1 and "no planner 'nobody'" in output and "rules" in output


def test_print_shows_one_conversation_with_its_parts_apart(board: ccsim.Leaderboard) -> None:
    failing = board.runs[1]
    assert failing.folder is not None
    episode = next(e for e in failing.episodes if EpisodeRow.of(e).failed)
    code, output = ccsim_cli("view", str(failing.folder), "--episode", episode.episode_id)
    assert code == 0
    assert f"customer: {episode.events[0].content}" in output
    assert "planner action: transfer_to_human: fraud" in output
    assert "handoff summary to fraud" in output and "Customer needs fraud." in output
    assert "wrong route: expected" in output
    code, output = ccsim_cli("view", str(failing.folder), "--episode", "nope#0")
    assert code == 1 and "no episode 'nope#0'" in output


def test_view_of_a_folder_that_is_not_a_run_is_one_clear_line(tmp_path: Path) -> None:
    code, output = ccsim_cli("view", str(tmp_path / "missing"))
    assert code == 1 and "no such run or eval folder" in output and "Traceback" not in output


async def test_the_browser_lists_episodes_toggles_failed_and_opens_a_conversation(board: ccsim.Leaderboard) -> None:
    pytest.importorskip("textual")
    from textual.widgets import DataTable, Static

    from ccsim.cli.viewer import ConversationScreen, EpisodeBrowser
    from ccsim.contact_center.run_index import open_runs

    assert board.folder is not None
    rows = [(index, row) for index in open_runs(board.folder) for row in index.rows]
    failed = [pair for pair in rows if pair[1].failed]
    browser = EpisodeBrowser(rows)
    async with browser.run_test(size=(160, 40)) as pilot:
        table = browser.query_one(DataTable)
        assert table.row_count == len(rows)
        await pilot.press("f")
        assert table.row_count == len(failed) < len(rows)
        await pilot.press("enter")
        await pilot.pause()
        screen = browser.screen
        assert isinstance(screen, ConversationScreen)
        assert screen.row == failed[0][1]
        assert screen.query_one("#conversation", Static) is not None
        shown = browser.export_screenshot()  # what the terminal shows, as SVG text
        assert failed[0][1].episode_id in shown and "customer" in shown and "handoff" in shown
        await pilot.press("escape")
        assert not isinstance(browser.screen, ConversationScreen)


async def test_the_browser_adds_rows_in_chunks_as_the_cursor_moves_down(
    board: ccsim.Leaderboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("textual")
    from textual.widgets import DataTable

    from ccsim.cli import viewer
    from ccsim.contact_center.run_index import open_runs

    assert board.folder is not None
    monkeypatch.setattr(viewer, "CHUNK", 5)
    rows = [(index, row) for index in open_runs(board.folder) for row in index.rows]
    browser = viewer.EpisodeBrowser(rows)
    async with browser.run_test(size=(160, 40)) as pilot:
        table = browser.query_one(DataTable)
        assert table.row_count == 5 and "5 loaded" in str(browser.sub_title)
        await pilot.press(*["down"] * 3)
        await pilot.pause()
        assert table.row_count == 5  # not yet at the last loaded row
        await pilot.press("down")
        await pilot.pause()
        assert table.row_count == 10
        await pilot.press(*["down"] * 15)
        await pilot.pause()
        assert table.row_count == len(rows) == 16
        assert "loaded" not in str(browser.sub_title)
