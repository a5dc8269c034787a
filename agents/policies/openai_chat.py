"""OpenAI-compatible chat models (planner, helpers, customer) built from a ModelSpec, and token accounting.

Retries on timeouts, 429 and 5xx are the openai client's own (exponential backoff, `max_retries`).
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatResult
from langchain_core.runnables import Runnable
from langchain_openai import ChatOpenAI

from ccsim.agents.planner_actions import PLANNER_TOOLS
from ccsim.contact_center.config import ModelSpec


class RawToolCallsChatOpenAI(ChatOpenAI):
    """ChatOpenAI that also keeps each reply's raw `tool_calls` in `additional_kwargs['tool_calls']`.

    LangChain parses tool-call arguments into dicts; the trajectory export needs the argument strings
    exactly as the model sampled them (re-serialising changes whitespace and key order, and broken JSON
    has no dict at all).
    """

    def _create_chat_result(self, response: Any, generation_info: dict | None = None) -> ChatResult:
        result = super()._create_chat_result(response, generation_info)
        response_dict = response if isinstance(response, dict) else response.model_dump()
        for generation, choice in zip(result.generations, response_dict.get("choices") or [], strict=False):
            raw_calls = (choice.get("message") or {}).get("tool_calls")
            if raw_calls and isinstance(generation.message, AIMessage):
                generation.message.additional_kwargs["tool_calls"] = [
                    {"id": c.get("id"), "type": c.get("type", "function"), "function": dict(c.get("function") or {})}
                    for c in raw_calls
                ]
        return result


def chat_model(spec: ModelSpec) -> ChatOpenAI:
    """A chat-completions client for an 'openai' spec."""
    if spec.kind != "openai" or not spec.model:
        raise ValueError(f"chat_model() needs an 'openai:MODEL' spec, got {spec.label!r}")
    return RawToolCallsChatOpenAI(
        model=spec.model,
        base_url=spec.resolved_base_url(),
        api_key=spec.api_key(),
        temperature=spec.temperature,
        logprobs=True if spec.logprobs else None,
        timeout=spec.timeout_s,
        max_retries=spec.max_retries,
        max_tokens=spec.max_tokens,
        # Some model names default to the Responses API; the planner contract is chat completions.
        use_responses_api=False,
    )


def openai_planner(spec: ModelSpec) -> Runnable[LanguageModelInput, BaseMessage]:
    """The planner model bound to exactly PLANNER_TOOLS."""
    return chat_model(spec).bind_tools(PLANNER_TOOLS)
