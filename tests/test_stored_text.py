"""Issue 11: what an episode may store. Oversized text is cut with a visible marker, an altered planner turn
loses its Choice, and the rules planner reads a bounded amount of any message."""

from __future__ import annotations

import time
from pathlib import Path

import ccsim
from ccsim.agents.policies.rules import MAX_READ_CHARS, RulesPlanner
from ccsim.agents.stored_text import customer_text, event_fields, stored_planner_messages
from ccsim.contact_center.at_rest import ALTERED_KEY, MAX_STORED_CHARS, altered_turns, truncate
from ccsim.contact_center.config import ModelSpec
from ccsim.tools.masking import redact_value
from ccsim.training.art_adapter import Choice
from ccsim.training.trajectory_io import load_trajectories
from tests.fake_openai import FakeOpenAIServer, ScriptedReply, ScriptedToolCall


def test_truncate_marks_what_it_cut() -> None:
    assert truncate("short") == ("short", False)
    cut, changed = truncate("x" * (MAX_STORED_CHARS + 10))
    assert (
        changed
        and cut.startswith("x" * MAX_STORED_CHARS)
        and cut.endswith("[... truncated by ccsim: 10 more characters]")
    )


def test_redact_value_masks_keys_values_and_lists() -> None:
    value, count = redact_value({"a": ["4111111111111111", 3], "078-05-1120": "cvv: 123"})
    assert count == 3 and value == {"a": ["**** **** **** 1111", 3], "***-**-1120": "cvv: ***"}


def test_stored_planner_messages_drop_the_choice_of_an_altered_turn_only() -> None:
    choice = {"index": 0, "finish_reason": "stop", "message": {}, "logprobs": None}
    messages = [
        {"role": "user", "content": "my card 4111111111111111"},
        {"role": "assistant", "content": "ok", "choice": choice},
        {"role": "assistant", "content": "y" * (MAX_STORED_CHARS + 1), "choice": choice},
        {"role": "assistant", "content": None, "choice": choice,
         "tool_calls": [{"id": "1", "type": "function",
                         "function": {"name": "delegate", "arguments": '{"task": "ssn 078-05-1120"}'}}]},
    ]  # fmt: skip
    stored = stored_planner_messages(messages)
    assert stored[0]["content"] == "my card **** **** **** 1111"
    assert stored[1] == messages[1]
    assert stored[2][ALTERED_KEY] == "truncated" and "choice" not in stored[2]
    assert stored[3][ALTERED_KEY] == "sensitive" and "078-05-1120" not in str(stored[3])
    assert altered_turns(stored) == {"truncated": 1, "sensitive": 1}
    assert customer_text("ssn 078-05-1120") == "ssn ***-**-1120"
    _content, fields = event_fields("x", {"tool_args": {"summary": "z" * 100_000}, "tool_name": "t"})
    assert len(fields["tool_args"]["summary"]) < MAX_STORED_CHARS + 100 and fields["tool_name"] == "t"


def test_a_one_megabyte_planner_reply_is_stored_cut_and_not_trained_on(tmp_path: Path) -> None:
    huge = "spam " * 200_000
    replies = iter(
        [
            ScriptedReply(text=huge, logprobs=True),
            ScriptedReply(
                tool_calls=[
                    ScriptedToolCall(name="transfer_to_human", arguments={"department": "fraud", "summary": huge})
                ],
                logprobs=True,
            ),
        ]
        * 4
    )
    with FakeOpenAIServer(responder=lambda body: next(replies)) as server:
        spec = ModelSpec(kind="openai", model="huge", base_url=server.base_url, max_retries=0, timeout_s=20)
        run = ccsim.simulate(ccsim.generate_scenarios(2, seed=4), planner=spec, out=tmp_path / "run", concurrency=1)
    assert all(e.status != "error" for e in run.episodes), [e.error for e in run.episodes]
    episodes_bytes = (tmp_path / "run" / "episodes.jsonl").stat().st_size
    trajectories_bytes = (tmp_path / "run" / "trajectories.jsonl").stat().st_size
    # 2 episodes x 2 one-megabyte replies would be 4 MB in each file uncut.
    assert episodes_bytes < 400_000 and trajectories_bytes < 400_000, (episodes_bytes, trajectories_bytes)
    assert "truncated by ccsim" in (tmp_path / "run" / "episodes.jsonl").read_text()
    for trajectory in load_trajectories(tmp_path / "run" / "trajectories.jsonl"):
        # Every planner turn here was cut: none stays a Choice (a cut turn loses only its own Choice).
        assert "excluded_from_training" not in trajectory.metadata
        assert trajectory.metrics["truncated_turns"] >= 1
        assert not any(isinstance(item, Choice) for item in trajectory.messages_and_choices)
        assert any("truncated by ccsim" in str(item) for item in trajectory.messages_and_choices)


def test_the_rules_planner_reads_a_bounded_amount_of_a_huge_message() -> None:
    from langchain_core.messages import HumanMessage

    text = "someone used my card and i did not make these charges " + "blah " * 2_000_000
    started = time.perf_counter()
    reply = RulesPlanner().invoke([HumanMessage(text)])
    assert time.perf_counter() - started < 5.0
    assert reply.tool_calls and reply.tool_calls[0]["args"].get("department") == "fraud"
    assert MAX_READ_CHARS <= 10_000
