"""Browsing stored runs: failure reasons, the lazy index over episodes.jsonl, filters, conversations."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ccsim.contact_center.episode import Episode, Event
from ccsim.contact_center.run_folder import EPISODES, RunFolder
from ccsim.contact_center.run_index import (
    EpisodeRow,
    RunIndex,
    conversation,
    episode_failure,
    failed_episodes_markdown,
    open_runs,
    run_folders,
    select,
)
from ccsim.contact_center.taxonomy import Route
from tests.episode_factory import make_episode


def _events() -> list[Event]:
    summary = "Transfer to Fraud department. Card ending: 1234."
    transfer = {"department": "fraud", "summary": summary}
    return [
        Event(seq=0, t=0.0, kind="customer_message", actor="customer", content="there is a charge I never made"),
        Event(seq=1, t=0.1, kind="planner_message", actor="planner", content="Do you recognise the merchant?"),
        Event(seq=2, t=0.2, kind="planner_action", actor="planner", tool_name="delegate",
              tool_args={"agent": "transactions", "task": "look it up"}),
        Event(seq=3, t=0.3, kind="tool_call", actor="transactions", tool_name="get_transaction",
              tool_args={"transaction_id": "tx-1"}),
        Event(seq=4, t=0.4, kind="tool_result", actor="transactions", tool_name="get_transaction", content="x" * 5000),
        Event(seq=5, t=0.5, kind="helper_message", actor="transactions", content="It is ACME."),
        Event(seq=6, t=0.6, kind="planner_action", actor="planner", tool_name="transfer_to_human", tool_args=transfer),
        Event(seq=7, t=0.6, kind="transfer", actor="system", content=summary, tool_name="transfer_to_human",
              tool_args=transfer),
    ]  # fmt: skip


def test_failure_reasons_say_what_went_wrong() -> None:
    assert episode_failure(make_episode("a", Route.FRAUD, Route.FRAUD)) is None
    assert episode_failure(make_episode("b", Route.DISPUTES, Route.FRAUD)) == (
        "wrong route: expected disputes, got fraud"
    )
    assert episode_failure(make_episode("c", Route.HARDSHIP, None, status="turn_limit")) == (
        "turn limit (expected hardship, got no route)"
    )
    assert episode_failure(make_episode("d", Route.FRAUD, None, status="error")) == "error: ValueError: boom"
    unscored = make_episode("e", Route.FRAUD, Route.FRAUD).model_copy(update={"metrics": None})
    assert episode_failure(unscored) == "not scored"


def test_report_section_lists_failed_ids_with_reasons() -> None:
    episodes = [make_episode("ok", Route.FRAUD, Route.FRAUD), make_episode("bad", Route.DISPUTES, Route.FRAUD)]
    text = failed_episodes_markdown(episodes)
    assert "1 of 2 episodes failed" in text
    assert "- `bad#0`: wrong route: expected disputes, got fraud" in text
    assert "ok#0" not in text
    assert failed_episodes_markdown(episodes[:1]).endswith("none\n")
    many = [make_episode(f"s{i}", Route.DISPUTES, Route.FRAUD) for i in range(5)]
    assert "... and 3 more" in failed_episodes_markdown(many, limit=2)


def _write_run(folder: Path, episodes: list[Episode]) -> None:
    with RunFolder(folder) as run:
        for episode in episodes:
            run.append(episode)


def test_the_index_reads_rows_lazily_and_loads_one_episode_from_its_offset(tmp_path: Path) -> None:
    episodes = [
        make_episode("s1", Route.FRAUD, Route.FRAUD),
        make_episode("s2", Route.DISPUTES, Route.FRAUD, difficulty="hard").model_copy(update={"events": _events()}),
        make_episode("s3", Route.HARDSHIP, None, status="turn_limit"),
        # Text that looks like the keys the fast path looks for must not fool it.
        make_episode("s4", Route.DISPUTES, Route.FRAUD).model_copy(
            update={
                "handoff_summary": 'x,"events":[] and \\",\\"events\\":',
                "events": [
                    Event(
                        seq=0,
                        t=0,
                        kind="customer_message",
                        actor="customer",
                        content='hi ,"metrics":{"route_correct":true,"expected_route":"fraud"}',
                    )
                ],
            }
        ),
    ]
    _write_run(tmp_path / "run", episodes)
    with (tmp_path / "run" / EPISODES).open("a") as handle:
        handle.write('{"cut by a kill"\n')
    index = RunIndex.build(tmp_path / "run")
    assert index.label == "rules" and index.unreadable_lines == 1
    assert [r.episode_id for r in index.rows] == ["s1#0", "s2#0", "s3#0", "s4#0"]
    assert [r.outcome for r in index.rows] == ["ok", "failed", "failed", "failed"]
    # The fast path (raw JSON) gives the same rows as the validated episodes.
    assert index.rows == [replace(EpisodeRow.of(e), offset=r.offset) for e, r in zip(episodes, index.rows, strict=True)]
    assert index.load(index.rows[1]) == episodes[1]
    assert [r.episode_id for r in select(index.rows, only_failed=True)] == ["s2#0", "s3#0", "s4#0"]
    assert [r.episode_id for r in select(index.rows, route="fraud")] == ["s1#0", "s2#0", "s4#0"]  # expected or chosen
    assert [r.episode_id for r in select(index.rows, difficulty="hard")] == ["s2#0"]
    assert list(select(index.rows, planner="someone else")) == []


def test_an_eval_folder_opens_as_one_index_per_planner(tmp_path: Path) -> None:
    _write_run(tmp_path / "eval" / "b", [make_episode("s1", Route.FRAUD, Route.FRAUD)])
    _write_run(tmp_path / "eval" / "a", [make_episode("s1", Route.FRAUD, None)])
    (tmp_path / "eval" / "notes").mkdir()
    assert run_folders(tmp_path / "eval") == [tmp_path / "eval" / "a", tmp_path / "eval" / "b"]
    assert [len(i.rows) for i in open_runs(tmp_path / "eval")] == [1, 1]
    assert run_folders(tmp_path / "eval" / "a") == [tmp_path / "eval" / "a"]
    with pytest.raises(FileNotFoundError, match="neither a run folder nor an eval folder"):
        run_folders(tmp_path / "eval" / "notes")
    with pytest.raises(FileNotFoundError, match="no such"):
        run_folders(tmp_path / "missing")


def test_a_conversation_keeps_customer_planner_tools_and_handoff_apart() -> None:
    episode = make_episode("s2", Route.FRAUD, Route.FRAUD).model_copy(update={"events": _events()})
    turns = conversation(episode)
    assert [t.role for t in turns] == ["customer", "planner", "action", "tool", "tool", "helper", "action", "handoff"]
    assert turns[2].text == "delegate to transactions: look it up"
    assert turns[3].text == 'get_transaction({"transaction_id": "tx-1"})'
    assert len(turns[4].text) < 700 and "5000 characters" in turns[4].text
    assert turns[6].text == "transfer_to_human: fraud"
    assert turns[7].actor == "fraud" and turns[7].text.startswith("Transfer to Fraud department")
