"""The planner's view of an episode as OpenAI chat messages, exact enough to train on (ART trajectories).

Each planner turn becomes an assistant message plus a 'choice' key holding the OpenAI Choice as the
endpoint returned it: tool-call ids, names and argument strings verbatim, finish reason and token logprobs.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

# HumanMessages carrying this additional_kwargs key are notes from the simulator to the planner (e.g. "your reply
# was empty"), not customer text; rule-based policies skip them.
SYSTEM_NOTE_KEY = "ccsim_system_note"


def system_note(text: str) -> HumanMessage:
    """A simulator note to the planner, for a problem that has no tool call to answer."""
    return HumanMessage(f"[system] {text}", additional_kwargs={SYSTEM_NOTE_KEY: True})


def _openai_tool_calls(message: AIMessage) -> list[dict[str, Any]]:
    raw = message.additional_kwargs.get("tool_calls")
    if raw:
        # As the endpoint sent them (kept by RawToolCallsChatOpenAI and decision_to_message).
        return [
            {
                "id": call.get("id"),
                "type": call.get("type") or "function",
                "function": {
                    "name": (call.get("function") or {}).get("name"),
                    "arguments": (call.get("function") or {}).get("arguments"),
                },
            }
            for call in raw
        ]
    calls: list[dict[str, Any]] = [
        {"id": c.get("id"), "type": "function", "function": {"name": c["name"], "arguments": json.dumps(c["args"])}}
        for c in message.tool_calls
    ]
    calls += [
        {"id": c.get("id"), "type": "function", "function": {"name": c.get("name"), "arguments": c.get("args") or ""}}
        for c in message.invalid_tool_calls
    ]
    return calls


def _text(message: BaseMessage) -> str:
    content = message.content
    return content if isinstance(content, str) else message.text


def assistant_message(message: AIMessage) -> dict[str, Any]:
    """One planner turn: the assistant message and its Choice."""
    tool_calls = _openai_tool_calls(message)
    text = _text(message)
    body: dict[str, Any] = {"role": "assistant", "content": text if text or not tool_calls else None}
    if tool_calls:
        body["tool_calls"] = tool_calls
    finish_reason = message.response_metadata.get("finish_reason") or ("tool_calls" if tool_calls else "stop")
    return {
        **body,
        "choice": {
            "index": 0,
            "finish_reason": finish_reason,
            "message": dict(body),
            "logprobs": message.response_metadata.get("logprobs"),
        },
    }


def to_openai_messages(messages: list[BaseMessage]) -> list[dict[str, Any]]:
    """System, user and tool messages as OpenAI chat dicts; planner turns with their 'choice'."""
    out: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, SystemMessage):
            out.append({"role": "system", "content": _text(message)})
        elif isinstance(message, HumanMessage):
            out.append({"role": "user", "content": _text(message)})
        elif isinstance(message, AIMessage):
            out.append(assistant_message(message))
        elif isinstance(message, ToolMessage):
            out.append({"role": "tool", "tool_call_id": message.tool_call_id, "content": _text(message)})
        else:
            raise TypeError(f"unexpected message type in the planner's view: {type(message).__name__}")
    return out
