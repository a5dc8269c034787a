"""report.html: built from real runs, checked as data, and driven in a real browser (Chromium via Playwright)."""

from __future__ import annotations

import json
import os
import re
import shutil
import warnings
from pathlib import Path

import pytest

import ccsim
from ccsim.contact_center.html_report import (
    REPORT_HTML,
    PlannerRun,
    confusion_cells,
    episode_payload,
    render_report_html,
)
from ccsim.contact_center.run_index import EpisodeRow
from ccsim.contact_center.taxonomy import Route

CHROMIUM = os.environ.get("CCSIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> ccsim.Leaderboard:
    """The rules planner and one that sends everybody to fraud: most of the second one's episodes fail."""
    scenarios = ccsim.generate_scenarios(12, seed=11)
    out = tmp_path_factory.mktemp("eval") / "eval"
    return ccsim.evaluate(scenarios, ["rules", "py:tests.plugins:always_fraud"], out=out, trajectories=False)


def _runs(board: ccsim.Leaderboard) -> list[PlannerRun]:
    return [PlannerRun(run.planner, run.summary, run.episodes) for run in board.runs]


def test_every_run_folder_and_the_eval_folder_get_a_report(board: ccsim.Leaderboard) -> None:
    assert board.folder is not None
    board_page = (board.folder / REPORT_HTML).read_text(encoding="utf-8")
    assert board.comparisons and "Paired comparisons" in board_page  # the leaderboard's own tables come along
    assert all(run.planner in board_page for run in board.runs)
    for run in board.runs:
        assert run.folder is not None
        page = (run.folder / REPORT_HTML).read_text(encoding="utf-8")
        assert run.planner in page and "<svg" in page
        # Nothing is fetched: no external script, stylesheet, image or font.
        assert not re.search(r"""(src|href)=["']?https?:|<link|@import|url\(\s*["']?https?:""", page)


def test_the_payload_lists_every_episode_and_puts_failed_conversations_first(board: ccsim.Leaderboard) -> None:
    runs = _runs(board)
    payload = episode_payload(runs, max_conversations=4)
    assert len(payload["rows"]) == sum(len(run.episodes) for run in runs)
    failed_ids = list(dict.fromkeys(e.episode_id for r in runs for e in r.episodes if EpisodeRow.of(e).failed))
    assert len(failed_ids) >= 2, "the always-fraud planner must fail somewhere"
    # Budget 4 over two planners: two episode ids, both failed ones, each with both planners' conversations.
    keys = set(payload["conversations"])
    assert keys == {f"{pi}|{eid}" for pi in (0, 1) for eid in failed_ids[:2]}
    reason_column = payload["columns"].index("reason")
    assert all(row[reason_column] for row in payload["rows"] if row[0] in failed_ids and row[1] == 1)


def test_the_confusion_heatmap_counts_match_the_summary(board: ccsim.Leaderboard) -> None:
    summary = board.runs[1].summary
    cells = dict(confusion_cells(summary))
    # always_fraud: every expected route's episodes sit in the 'fraud' column.
    fraud_column = [r.value for r in Route].index("fraud")
    assert sum(cells[route][fraud_column][0] for route in cells) == summary.episodes


def test_customer_text_cannot_break_out_of_the_page(board: ccsim.Leaderboard) -> None:
    run = board.runs[0]
    episode = run.episodes[0]
    evil = episode.events[0].model_copy(update={"content": "</script><script>alert(1)</script><!--"})
    tampered = episode.model_copy(update={"events": [evil, *episode.events[1:]]})
    page = render_report_html([PlannerRun(run.planner, run.summary, [tampered])], title="t")
    assert "</script><script>alert(1)" not in page
    data = re.search(r'<script type="application/json" id="episode-data">(.*?)</script>', page, re.S)
    assert data is not None
    assert json.loads(data.group(1))["conversations"][f"0|{episode.episode_id}"][0][2].startswith("</script>")


def _chromium_or_skip() -> None:
    reason = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "the Python package 'playwright' is not installed (pip install -e '.[dev]')"
    if reason is None and not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        reason = f"no Chromium at {CHROMIUM} (Debian: apt-get install -y chromium; or set CCSIM_CHROMIUM)"
    if reason:
        message = f"BROWSER TEST SKIPPED: report.html was not opened in a browser: {reason}"
        warnings.warn(message, stacklevel=2)
        pytest.skip(message)


def test_a_browser_filters_to_failed_episodes_and_opens_a_conversation(board: ccsim.Leaderboard) -> None:
    _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    assert board.folder is not None
    failing = board.runs[1]
    failed = next(e for e in failing.episodes if EpisodeRow.of(e).failed)
    opening = failed.events[0].content
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto((board.folder / REPORT_HTML).resolve().as_uri())
            rows = page.locator("#episodes tbody tr")
            total = sum(len(run.episodes) for run in board.runs)
            assert rows.count() == total
            page.check("#only-failed")
            failed_rows = sum(1 for run in board.runs for e in run.episodes if EpisodeRow.of(e).failed)
            assert rows.count() == failed_rows < total
            assert page.locator("#episodes tbody tr.ok").count() == 0
            page.select_option("#planner", label=failing.planner)
            page.fill("#search", failed.episode_id)
            assert rows.count() == 1
            rows.first.click()
            conversation = page.locator("#conversation")
            conversation.wait_for(state="visible")
            # The same episode side by side: both planners' versions.
            assert conversation.locator(".conv").count() == 2
            mine = conversation.locator(f'.conv[data-planner="{failing.planner}"]')
            assert mine.locator(".role-customer").first.inner_text().endswith(opening)
            assert "wrong route: expected" in mine.locator(".reason").inner_text()
            handoff = mine.locator(".role-handoff")
            assert handoff.count() == 1 and failed.handoff_summary is not None
            assert failed.handoff_summary in handoff.inner_text()
            assert "transfer_to_human: fraud" in mine.locator(".role-action").first.inner_text()
            assert errors == []
        finally:
            browser.close()
