"""The rules baseline as a LangChain chat model, so the graph runs it exactly like an LLM planner."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from ccsim.agents.planner_actions import DELEGATE
from ccsim.agents.planner_view import SYSTEM_NOTE_KEY
from ccsim.agents.policies.decision_messages import DecisionPlanner
from ccsim.agents.policies.rules_router import Decision, Turn, decide


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


class RulesPlanner(DecisionPlanner):
    """Deterministic planner: rules_router.decide over the conversation, answered as an AIMessage."""

    planner_name: ClassVar[str] = "rules"

    def decide_turn(self, messages: list[BaseMessage]) -> Decision:
        return decide(messages_to_turns(messages))
