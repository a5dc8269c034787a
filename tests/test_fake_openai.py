"""The loopback server must speak the OpenAI protocol as langchain-openai expects it."""

from __future__ import annotations

import openai
import pytest
from langchain_openai import ChatOpenAI

from tests.fake_openai import FakeOpenAIServer, ScriptedToolCall


def _chat(server: FakeOpenAIServer, **kwargs: object) -> ChatOpenAI:
    return ChatOpenAI(model="m", base_url=server.base_url, api_key="test", max_retries=0, **kwargs)


async def test_text_tool_calls_and_logprobs_round_trip_over_http() -> None:
    with FakeOpenAIServer() as server:
        server.enqueue(text="hello there", logprobs=True)
        server.enqueue(tool_calls=[ScriptedToolCall(name="delegate", arguments={"agent": "transactions"})])
        first = await _chat(server, logprobs=True).ainvoke("hi")
        second = await _chat(server).ainvoke("route me")
    assert first.content == "hello there"
    tokens = first.response_metadata["logprobs"]["content"]
    assert [t["token"].startswith("token_id:") for t in tokens] == [True, True]
    assert second.tool_calls[0]["name"] == "delegate"
    assert second.tool_calls[0]["args"] == {"agent": "transactions"}
    assert server.requests[0]["logprobs"] is True


async def test_scripted_http_error_reaches_the_client() -> None:
    with FakeOpenAIServer() as server:
        server.enqueue(status=429, error_message="slow down")
        with pytest.raises(openai.RateLimitError):
            await _chat(server).ainvoke("hi")


async def test_broken_tool_arguments_become_invalid_tool_calls() -> None:
    with FakeOpenAIServer() as server:
        server.enqueue(tool_calls=[ScriptedToolCall(name="transfer_to_human", arguments="{not json")])
        reply = await _chat(server).ainvoke("hi")
    assert reply.tool_calls == []
    assert reply.invalid_tool_calls[0]["name"] == "transfer_to_human"
