"""The README's "Use it from your RL trainer" examples run as written (the endpoint is the loopback server)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.fake_openai import FakeOpenAIServer, ScriptedReply, ScriptedToolCall

README = Path(__file__).resolve().parents[1] / "README.md"


def section_blocks() -> list[str]:
    text = README.read_text()
    section = text[text.index("## Use it from your RL trainer") :]
    section = section[: section.index("\n## ", 3)]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_step_api_example_plays_an_episode_against_an_endpoint(capsys: pytest.CaptureFixture[str]) -> None:
    [example] = [b for b in section_blocks() if "ContactCenterEnv(" in b]

    def reply(body: dict[str, Any]) -> ScriptedReply:
        call = ScriptedToolCall(name="transfer_to_human", arguments={"department": "fraud", "summary": "card 1234"})
        return ScriptedReply(tool_calls=[call], logprobs=True)

    with FakeOpenAIServer(reply) as server:
        exec(compile(example.replace("http://localhost:8000/v1", server.base_url), "README", "exec"), {})
    out = capsys.readouterr().out
    assert out.startswith("fraud ") and "Choice(" in out and "ChoiceLogprobs(" in out


def test_the_gymnasium_example_runs() -> None:
    pytest.importorskip("gymnasium", reason='needs `pip install "ccsim[gym]"`')
    [example] = [b for b in section_blocks() if "gymnasium.make" in b]
    namespace: dict[str, Any] = {}
    exec(compile(example, "README", "exec"), namespace)
    assert namespace["terminated"] is False and namespace["info"]["turn"] == 1
