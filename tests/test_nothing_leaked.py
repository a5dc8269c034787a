"""Issue 11, "nothing leaked": a fault-injecting endpoint writes full card numbers, SSNs and CVVs into the
planner's text and tool arguments, and the customer types them too. No file of the run folder may hold one;
the turns that wrote them are penalised and never trained on."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest

import ccsim
from ccsim.contact_center.at_rest import ALTERED_KEY
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.reward import as_rubric
from ccsim.training.art_adapter import Choice
from ccsim.training.trajectory_io import load_trajectories
from tests.fake_openai import FakeOpenAIServer, ScriptedReply, ScriptedToolCall

CARD = "4111 1111 1111 1111"  # Luhn-valid test numbers
CARD_PLAIN = "5555555555554444"
CARD_DASHED = "3782-822463-10005"
SSN = "078-05-1120"
CVV = "CVV 737"
LEAKY = f"card {CARD} / {CARD_PLAIN} / {CARD_DASHED}, SSN {SSN}, {CVV}"

_DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
_SSN = re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)")
_CVV = re.compile(r"\b(?:cvv2?|cvc2?|security code)\W{0,3}\d{3,4}\b", re.IGNORECASE)


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def sensitive_hits(text: str) -> list[str]:
    """Luhn-valid card numbers (13 to 19 digits, spaces or dashes allowed), SSNs and CVVs in text."""
    cards = [m.group(0) for m in _DIGIT_RUN.finditer(text) if _luhn(re.sub(r"\D", "", m.group(0)))]
    return cards + _SSN.findall(text) + _CVV.findall(text)


def test_the_detector_finds_what_it_must() -> None:
    assert len(sensitive_hits(LEAKY)) == 5
    assert sensitive_hits("card **** **** **** 1111, SSN ***-**-1120, CVV ***, order 4111111111111112") == []


def _leaky_replies() -> Any:
    department_args = {"department": "fraud", "summary": f"Customer gave {LEAKY}"}
    replies = itertools.cycle(
        [
            ScriptedReply(text=f"Please confirm: {LEAKY}?", logprobs=True),
            ScriptedReply(tool_calls=[ScriptedToolCall(name="transfer_to_human", arguments={"department": "nowhere",
                                                                                             "summary": LEAKY})],
                          logprobs=True),
            ScriptedReply(tool_calls=[ScriptedToolCall(name="delegate", arguments={"agent": "transactions",
                                                                                    "task": f"look up {LEAKY}"})],
                          logprobs=True),
            ScriptedReply(tool_calls=[ScriptedToolCall(name="transfer_to_human", arguments=department_args)],
                          logprobs=True),
        ]
    )  # fmt: skip
    return lambda body: next(replies)


@pytest.fixture(scope="module")
def leaky_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ccsim.Run]:
    base = ccsim.generate_scenarios(6, seed=11)
    scenarios = [
        s.model_copy(update={"opening_message": f"{s.opening_message} my card is {CARD_PLAIN}, ssn {SSN}"})
        if i % 2
        else s
        for i, s in enumerate(base)
    ]
    folder = tmp_path_factory.mktemp("leaky") / "run"
    with FakeOpenAIServer(responder=_leaky_replies()) as server:
        spec = ModelSpec(kind="openai", model="leaky", base_url=server.base_url, max_retries=0, timeout_s=10)
        run = ccsim.simulate(scenarios, planner=spec, out=folder, concurrency=2)
    return folder, run


def test_no_file_of_the_run_folder_holds_a_sensitive_number(leaky_run: tuple[Path, ccsim.Run]) -> None:
    folder, run = leaky_run
    assert run.episodes and all(e.status != "error" for e in run.episodes), [e.error for e in run.episodes]
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert {"episodes.jsonl", "trajectories.jsonl"} <= {p.name for p in files}
    hits = {str(p.relative_to(folder)): sensitive_hits(p.read_text(encoding="utf-8", errors="replace")) for p in files}
    assert {name: found for name, found in hits.items() if found} == {}
    # The planner did write them: masked forms are stored where the numbers were.
    assert "**** **** **** 1111" in (folder / "episodes.jsonl").read_text()


def test_what_the_customer_says_is_masked_before_the_planner_sees_it(leaky_run: tuple[Path, ccsim.Run]) -> None:
    _, run = leaky_run
    for episode in run.episodes:
        user_turns = [m["content"] for m in episode.planner_messages if m["role"] == "user"]
        assert user_turns and not any(sensitive_hits(text) for text in user_turns)


def test_turns_that_wrote_them_are_penalised_and_never_trained_on(leaky_run: tuple[Path, ccsim.Run]) -> None:
    folder, run = leaky_run
    for episode in run.episodes:
        altered = [m for m in episode.planner_messages if m.get(ALTERED_KEY)]
        assert altered and all("choice" not in m for m in altered)
        clean_reward = as_rubric(None).score(
            episode.model_copy(
                update={
                    "planner_messages": [
                        {k: v for k, v in m.items() if k != ALTERED_KEY} for m in episode.planner_messages
                    ]
                }
            )
        )
        assert episode.reward == pytest.approx(max(-1.0, clean_reward - 0.5 * len(altered)))
    trajectories = load_trajectories(folder / "trajectories.jsonl")
    assert len(trajectories) == len(run.episodes)
    for trajectory in trajectories:
        assert not any(isinstance(item, Choice) for item in trajectory.messages_and_choices)
        assert trajectory.metadata["excluded_from_training"] == "sensitive"
        assert trajectory.metrics["sensitive_turns"] >= 1
        assert not any(ALTERED_KEY in json.dumps(item) for item in trajectory.messages_and_choices)


def test_a_clean_run_keeps_its_choices_and_rewards(tmp_path: Path) -> None:
    scenarios = ccsim.generate_scenarios(2, seed=12)
    reply = ScriptedReply(
        tool_calls=[ScriptedToolCall(name="transfer_to_human", arguments={"department": "fraud", "summary": "x"})],
        logprobs=True,
    )
    with FakeOpenAIServer(responder=lambda body: reply) as server:
        spec = ModelSpec(kind="openai", model="clean", base_url=server.base_url, max_retries=0, timeout_s=10)
        run = ccsim.simulate(scenarios, planner=spec, out=tmp_path / "run", concurrency=1)
    for episode in run.episodes:
        assert not any(m.get(ALTERED_KEY) for m in episode.planner_messages)
        assert episode.reward == as_rubric(None).score(episode)
    trajectories = load_trajectories(tmp_path / "run" / "trajectories.jsonl")
    assert all(any(isinstance(i, Choice) for i in t.messages_and_choices) for t in trajectories)
    assert all("excluded_from_training" not in t.metadata for t in trajectories)
