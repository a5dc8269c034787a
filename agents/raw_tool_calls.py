"""OpenAI tool calls as a chat endpoint sent them -> LangChain `tool_calls` and `invalid_tool_calls`.

The one parser for both ways a planner turn enters the graph: an OpenAI-compatible endpoint
(`policies/openai_chat.py`) and the step API's actions (`ccsim.env`). It parses as langchain-openai does,
with one difference: arguments that are valid JSON but not an object (`[1, 2]`, `"x"`, `3`) are an invalid
tool call too, where langchain-openai would fail the whole reply (and so the episode) in validation.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import InvalidToolCall, ToolCall
from langchain_core.messages.tool import invalid_tool_call
from langchain_core.output_parsers.openai_tools import parse_tool_call


def parse_raw_tool_calls(raw_calls: list[dict[str, Any]]) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    """Valid and invalid LangChain tool calls for OpenAI-format calls ({'id', 'type', 'function'})."""
    valid: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for raw in raw_calls:
        try:
            parsed = parse_tool_call(raw, return_id=True)
            if parsed is None:
                raise ValueError("the tool call has no function")
            if not isinstance(parsed.get("args"), dict):
                raise ValueError(f"the arguments of {parsed.get('name')!r} are not a JSON object")
            valid.append(parsed)  # type: ignore[arg-type]
        except Exception as error:  # langchain-openai's own handling of a reply it cannot parse
            function = raw.get("function") or {}
            invalid.append(
                invalid_tool_call(
                    name=function.get("name"), args=function.get("arguments"), id=raw.get("id"), error=str(error)
                )
            )
    return valid, invalid


def without_tool_calls(response: dict[str, Any]) -> dict[str, Any]:
    """A chat-completions response dict with its choices' tool calls removed (they go to `parse_raw_tool_calls`)."""
    return {
        **response,
        "choices": [
            {**choice, "message": {k: v for k, v in (choice.get("message") or {}).items() if k != "tool_calls"}}
            for choice in response.get("choices") or []
        ],
    }
