"""OpenAI-compatible chat models (planner, helpers, customer) built from a ModelSpec, and token accounting.

Retries on timeouts, 429 and 5xx are the openai client's own (exponential backoff, `max_retries`).
A 200 whose body is cut off or has no `choices` is retried here, as often; when it persists, the error
(`EndpointResponseError`) says the endpoint caused it. An episode that times out cancels its request,
which closes the connection, so the server stops generating for nobody.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from typing import Any

import openai
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatResult
from langchain_core.runnables import Runnable
from langchain_openai import ChatOpenAI

from ccsim.agents.planner_actions import PLANNER_TOOLS
from ccsim.agents.raw_tool_calls import parse_raw_tool_calls, without_tool_calls
from ccsim.contact_center.config import ModelSpec


class EndpointResponseError(RuntimeError):
    """The endpoint answered 200 with a body that is not a usable completion (cut off, no choices)."""


class _UnusableResponse(Exception):
    pass


# What a 200 with a broken body raises inside the openai client and LangChain.
_BROKEN_BODY = (json.JSONDecodeError, _UnusableResponse)


def _backoff(attempt: int) -> float:
    return float(min(0.25 * 2**attempt, 4.0))


class RawToolCallsChatOpenAI(ChatOpenAI):
    """ChatOpenAI that also keeps each reply's raw `tool_calls` in `additional_kwargs['tool_calls']`.

    LangChain parses tool-call arguments into dicts; the trajectory export needs the argument strings
    exactly as the model sampled them (re-serialising changes whitespace and key order, and broken JSON
    has no dict at all).
    """

    def _create_chat_result(self, response: Any, generation_info: dict | None = None) -> ChatResult:
        response_dict = response if isinstance(response, dict) else response.model_dump()
        if not response_dict.get("choices"):
            raise _UnusableResponse("a completion without choices")
        # Tool calls are parsed by parse_raw_tool_calls: LangChain would fail the whole reply on arguments that
        # are JSON but not an object, instead of making that one call invalid.
        result = super()._create_chat_result(without_tool_calls(response_dict), generation_info)
        for generation, choice in zip(result.generations, response_dict.get("choices") or [], strict=False):
            if self.logprobs and not choice.get("logprobs") and isinstance(generation.message, AIMessage):
                # Asked for, not sent: the turn cannot be trained on; the run summary counts these.
                generation.message.response_metadata["logprobs_missing"] = True
            raw_calls = (choice.get("message") or {}).get("tool_calls")
            if raw_calls and isinstance(generation.message, AIMessage):
                generation.message.additional_kwargs["tool_calls"] = [
                    {"id": c.get("id"), "type": c.get("type", "function"), "function": dict(c.get("function") or {})}
                    for c in raw_calls
                ]
                valid, invalid = parse_raw_tool_calls(generation.message.additional_kwargs["tool_calls"])
                generation.message.tool_calls, generation.message.invalid_tool_calls = valid, invalid
        return result

    def _endpoint_error(self, exc: Exception, attempts: int) -> EndpointResponseError:
        what = f"a cut-off or unreadable body ({exc})" if isinstance(exc, json.JSONDecodeError) else str(exc)
        return EndpointResponseError(
            f"the endpoint {self.openai_api_base or 'https://api.openai.com/v1'} sent {what}, "
            f"{attempts} time{'s' * (attempts > 1)} in a row"
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        for attempt in range(self.max_retries + 1 if self.max_retries is not None else 1):
            try:
                return super()._generate(messages, stop, run_manager, **kwargs)
            except _BROKEN_BODY as exc:
                error = exc
                time.sleep(_backoff(attempt))
        raise self._endpoint_error(error, attempt + 1)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        for attempt in range(self.max_retries + 1 if self.max_retries is not None else 1):
            try:
                return await super()._agenerate(messages, stop, run_manager, **kwargs)
            except _BROKEN_BODY as exc:
                error = exc
                await asyncio.sleep(_backoff(attempt))
        raise self._endpoint_error(error, attempt + 1)


# One HTTP connection pool per event loop: LangChain's default pool is process-wide, so a second
# `ccsim.simulate()` (a new `asyncio.run`) reused connections of the first, closed loop and failed with
# "Connection error". Keyed by loop, pooled connections never outlive the loop that opened them.
_POOLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, openai.DefaultAsyncHttpxClient] = (
    weakref.WeakKeyDictionary()
)


def _loop_pool() -> openai.DefaultAsyncHttpxClient | None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    pool = _POOLS.get(loop)
    if pool is None:
        pool = _POOLS[loop] = openai.DefaultAsyncHttpxClient()
    return pool


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
        http_async_client=_loop_pool(),
        # Some model names default to the Responses API; the planner contract is chat completions.
        use_responses_api=False,
    )


def openai_planner(spec: ModelSpec) -> Runnable[LanguageModelInput, BaseMessage]:
    """The planner model bound to exactly PLANNER_TOOLS."""
    return chat_model(spec).bind_tools(PLANNER_TOOLS)
