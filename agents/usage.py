"""Token accounting for one episode: every model call's usage, by model name.

Apart from the OpenAI client module so that the graph, customers and helpers can count tokens without
importing langchain-openai (which only LLM-backed players need).
"""

from __future__ import annotations

from langchain_core.messages import BaseMessage

from ccsim.contact_center.episode import TokenUsage


def usage_of(message: BaseMessage) -> TokenUsage:
    """Token usage a model reply reports (zero when the model reports none, e.g. the rules planner)."""
    usage = getattr(message, "usage_metadata", None) or {}
    return TokenUsage(
        prompt_tokens=int(usage.get("input_tokens", 0) or 0),
        completion_tokens=int(usage.get("output_tokens", 0) or 0),
    )


def model_name_of(message: BaseMessage, fallback: str) -> str:
    """The model that produced a reply, as the endpoint names it."""
    return str(message.response_metadata.get("model_name") or fallback)


class UsageTally:
    """Tokens of every model call in one episode, by model name."""

    def __init__(self) -> None:
        self._by_model: dict[str, TokenUsage] = {}

    def add(self, model: str, usage: TokenUsage) -> None:
        self._by_model[model] = self._by_model.get(model, TokenUsage()) + usage

    def record(self, message: BaseMessage, fallback_model: str) -> TokenUsage:
        """Add a reply's usage under its model's name and return it."""
        usage = usage_of(message)
        self.add(model_name_of(message, fallback_model), usage)
        return usage

    def by_model(self) -> dict[str, TokenUsage]:
        return dict(self._by_model)
