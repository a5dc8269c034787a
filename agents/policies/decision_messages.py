"""A planner's decision as the AIMessage a chat model would have sent: plain text to ask, a tool call to route.

Shared by the rules planner and the built-in trainable planner, so both look exactly like an LLM to the graph.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, ClassVar, Self

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from ccsim.agents.planner_actions import PlannerDecision, action_arguments, action_tool_name, arguments_json


def tool_call_id(name: str, arguments: str, call_index: int) -> str:
    """A deterministic id: replays of the same episode produce the same transcript byte for byte."""
    digest = hashlib.sha1(f"{call_index}:{name}:{arguments}".encode()).hexdigest()[:12]
    return f"call_{call_index}_{digest}"


def decision_to_message(decision: PlannerDecision, *, call_index: int = 0, model_name: str = "rules") -> AIMessage:
    """The AIMessage for a decision; `call_index` (the planner turn) keeps tool-call ids unique in an episode."""
    metadata: dict[str, Any] = {"model_name": model_name}
    if decision.kind == "ask":
        return AIMessage(content=decision.text, response_metadata={**metadata, "finish_reason": "stop"})
    name, args, arguments = action_tool_name(decision), action_arguments(decision), arguments_json(decision)
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

    def decide_turn(self, messages: list[BaseMessage]) -> PlannerDecision:
        raise NotImplementedError

    @property
    def _llm_type(self) -> str:
        return f"ccsim-{self.planner_name}-planner"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Self:
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
