"""The rules baseline as a LangChain chat model, so the graph runs it exactly like an LLM planner."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from agents.planner_actions import DELEGATE
from agents.planner_view import SYSTEM_NOTE_KEY
from agents.policies.decision_messages import decision_to_message
from agents.policies.rules_router import Turn, decide


def messages_to_turns(messages: Sequence[BaseMessage]) -> list[Turn]:
    """The conversation as rules_router turns: customer texts, planner questions, helper answers."""
    tool_names: dict[str, str] = {}
    turns: list[Turn] = []
    for message in messages:
        if isinstance(message, HumanMessage):
            if not message.additional_kwargs.get(SYSTEM_NOTE_KEY):
                turns.append(Turn(role="customer", text=message.text))
        elif isinstance(message, AIMessage):
            tool_names.update({call["id"]: call["name"] for call in message.tool_calls if call.get("id")})
            if message.text.strip():
                turns.append(Turn(role="planner", text=message.text))
        elif (
            isinstance(message, ToolMessage)
            and message.status != "error"
            and tool_names.get(message.tool_call_id) == DELEGATE
        ):
            # Only a helper's answer is conversation; error reports and transfer receipts are not.
            turns.append(Turn(role="helper", text=message.text))
    return turns


class RulesPlanner(BaseChatModel):
    """Deterministic planner: rules_router.decide over the conversation, answered as an AIMessage."""

    @property
    def _llm_type(self) -> str:
        return "ccsim-rules-planner"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> RulesPlanner:  # type: ignore[override]
        # Its actions are the fixed planner tools; there is nothing to bind.
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        decision = decide(messages_to_turns(messages))
        call_index = sum(isinstance(m, AIMessage) for m in messages)
        message = decision_to_message(decision, call_index=call_index, model_name="rules")
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        # Pure CPU and fast: no thread pool hop.
        return self._generate(messages, stop, **kwargs)
