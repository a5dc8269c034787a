"""A rules-style Decision as the AIMessage a chat model would have sent: plain text to ask, a tool call to route.

Shared by the rules planner and the built-in trainable planner, so both look exactly like an LLM to the graph.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Protocol

from langchain_core.messages import AIMessage

from agents.planner_actions import DELEGATE, TRANSFER_TO_HUMAN
from agents.questions import ClarifyingQuestion, question_text
from contact_center.taxonomy import Route


class DecisionLike(Protocol):
    """What a decision carries (agents.policies.rules_router.Decision has these fields)."""

    kind: str  # 'ask' | 'delegate' | 'transfer'
    route: Route | None
    question: ClarifyingQuestion | None
    text: str


def tool_call_id(name: str, arguments: str, call_index: int) -> str:
    """A deterministic id: replays of the same episode produce the same transcript byte for byte."""
    digest = hashlib.sha1(f"{call_index}:{name}:{arguments}".encode()).hexdigest()[:12]
    return f"call_{call_index}_{digest}"


def decision_to_message(decision: DecisionLike, *, call_index: int = 0, model_name: str = "rules") -> AIMessage:
    """The AIMessage for a decision; `call_index` (the planner turn) keeps tool-call ids unique in an episode."""
    metadata: dict[str, Any] = {"model_name": model_name}
    if decision.kind == "ask":
        text = decision.text or (question_text(decision.question) if decision.question else "")
        if not text:
            raise ValueError("an 'ask' decision needs a question or text")
        return AIMessage(content=text, response_metadata={**metadata, "finish_reason": "stop"})
    if decision.route is None:
        raise ValueError(f"a {decision.kind!r} decision needs a route")
    route = Route(decision.route)
    if decision.kind == "delegate":
        name, args = DELEGATE, {"agent": route.value, "task": decision.text}
    elif decision.kind == "transfer":
        name, args = TRANSFER_TO_HUMAN, {"department": route.value, "summary": decision.text}
    else:
        raise ValueError(f"unknown decision kind {decision.kind!r}")
    arguments = json.dumps(args, ensure_ascii=False)
    call_id = tool_call_id(name, arguments, call_index)
    return AIMessage(
        content="",
        tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}],
        additional_kwargs={
            "tool_calls": [{"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}]
        },
        response_metadata={**metadata, "finish_reason": "tool_calls"},
    )
