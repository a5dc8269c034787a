"""Players a user might write, loaded by the tests the way users load theirs: `py:tests.plugins:NAME`."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import RunnableLambda

from ccsim.agents.registry import EpisodeParts
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.episode import Episode


def _transfer(department: str) -> AIMessage:
    args = {"department": department, "summary": f"Customer needs {department}."}
    return AIMessage(content="", tool_calls=[{"name": "transfer_to_human", "args": args, "id": "call_1"}])


def always_fraud(spec: ModelSpec) -> RunnableLambda[list[BaseMessage], AIMessage]:
    """A planner that sends every caller to the fraud team."""
    return RunnableLambda(lambda _messages: _transfer("fraud"), name="always_fraud")


def always_department(spec: ModelSpec) -> RunnableLambda[list[BaseMessage], AIMessage]:
    """A registered kind with an argument: 'always:disputes' sends every caller to disputes."""
    department = spec.path or "fraud"
    return RunnableLambda(lambda _messages: _transfer(department), name=f"always_{department}")


class SilentCustomer:
    """A customer who says the opening line and then hangs up."""

    def __init__(self, parts: EpisodeParts) -> None:
        self.opening = parts.scenario.opening_message
        self.spoke = False

    async def reply(self, planner_text: str | None, *, helper_answer: str | None = None) -> Any:
        from ccsim.agents.customer import CustomerReply

        if self.spoke:
            return CustomerReply(text="", ended=True)
        self.spoke = True
        return CustomerReply(text=self.opening, ended=False)


def silent_customer(spec: ModelSpec, parts: EpisodeParts) -> SilentCustomer:
    return SilentCustomer(parts)


def not_a_factory() -> None:
    """Present so a test can point a spec at something callable that builds nothing useful."""


def fraud_bonus(episode: Episode) -> float:
    """A user's reward: 1 for every episode that ended at fraud."""
    return 1.0 if episode.final_route is not None and episode.final_route.value == "fraud" else 0.0
