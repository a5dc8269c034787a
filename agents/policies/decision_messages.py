"""A rules-style Decision as the AIMessage a chat model would have sent: plain text to ask, a tool call to route.

Shared by the rules planner and the built-in trainable planner, so both look exactly like an LLM to the graph.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol, Self

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from ccsim.agents.planner_actions import DELEGATE, TRANSFER_TO_HUMAN
from ccsim.agents.questions import ClarifyingQuestion, question_text
from ccsim.contact_center.taxonomy import Route


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


class DecisionPlanner(BaseChatModel):
    """A planner that decides in Python and answers as the tool-calling chat model an LLM would be.

    Subclasses implement `decide_turn`; the graph cannot tell them from an LLM planner.
    """

    planner_name: ClassVar[str] = "decision-planner"

    def decide_turn(self, messages: list[BaseMessage]) -> DecisionLike:
        raise NotImplementedError

    @property
    def _llm_type(self) -> str:
        return f"ccsim-{self.planner_name}-planner"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Self:  # type: ignore[override]
        # Its actions are the fixed planner tools; there is nothing to bind.
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call_index = sum(isinstance(m, AIMessage) for m in messages)
        message = decision_to_message(self.decide_turn(messages), call_index=call_index, model_name=self.planner_name)
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        # A millisecond of CPU: no thread-pool hop.
        return self._generate(messages, stop, **kwargs)
