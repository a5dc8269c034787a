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
from collections.abc import Sequence
from typing import Any

import openai
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatResult
from langchain_core.runnables import Runnable
from langchain_openai import ChatOpenAI
from langchain_openai.chat_models import base as langchain_openai_base

from ccsim.agents.http_clients import PerLoop, shared_async_client
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


# The request options `chat.completions.create` takes beside the body; langchain-openai puts them in the payload.
_OPTION_KEYS = ("extra_headers", "extra_query", "extra_body", "timeout")
# langchain-openai's own translation of SDK errors (context overflow, auth, ...), where this version has it.
_no_translation: Any = lambda *_: None  # noqa: E731
_translate_bad_request: Any = getattr(langchain_openai_base, "_handle_openai_bad_request", _no_translation)
_translate_api_error: Any = getattr(langchain_openai_base, "_handle_openai_api_error", _no_translation)
_add_gateway_metadata: Any = getattr(langchain_openai_base, "_add_gateway_metadata", _no_translation)


def passthrough_request(payload: dict[str, Any]) -> dict[str, Any]:
    """`create()` arguments that send `payload` as it is, past the SDK's request transform.

    `create()` walks every argument through the SDK's TypedDict transform on each call: the long system
    prompt, every message, every tool schema. For the plain JSON payload langchain-openai builds that
    transform is the identity (tests/test_openai_planner.py checks it), so the payload travels in
    `extra_body`, which the SDK merges into the body untouched, and `create()` transforms only the two
    arguments it requires. The request on the wire has the same JSON."""
    body = {key: value for key, value in payload.items() if key not in _OPTION_KEYS}
    options = {key: payload[key] for key in _OPTION_KEYS if key in payload}
    body.update(options.pop("extra_body", None) or {})  # extra_body wins over the body, as in create()
    return {"model": body["model"], "messages": [], "extra_body": body, **options}


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
                return await self._agenerate_once(messages, stop, run_manager, **kwargs)
            except _BROKEN_BODY as exc:
                error = exc
                await asyncio.sleep(_backoff(attempt))
        raise self._endpoint_error(error, attempt + 1)

    async def _agenerate_once(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        run_manager: AsyncCallbackManagerForLLMRun | None,
        **kwargs: Any,
    ) -> ChatResult:
        """langchain-openai's chat-completions `_agenerate`, with the per-call work it need not do removed:
        the request is not re-transformed (`passthrough_request`) and the reply is parsed on this thread, not
        handed to a worker thread and back (the hand-off costs more CPU than the parse)."""
        payload = self._get_request_payload(messages, stop=stop, **kwargs)
        if payload.get("stream") or "response_format" in payload or self._use_responses_api(payload):
            return await super()._agenerate(messages, stop, run_manager, **kwargs)
        try:
            raw_response = await self.async_client.with_raw_response.create(**passthrough_request(payload))
            response = raw_response.parse()
        except openai.BadRequestError as exc:
            _translate_bad_request(exc)
            raise
        except openai.APIError as exc:
            _translate_api_error(exc)
            raise
        generation_info: dict[str, Any] = {}
        if self.include_response_headers:
            generation_info["headers"] = dict(raw_response.headers)
        _add_gateway_metadata(generation_info, raw_response)
        return self._create_chat_result(response, generation_info)


def _model_key(spec: ModelSpec) -> tuple[object, ...]:
    """Everything `_build_chat_model` reads from a spec (the key itself resolved from the environment now)."""
    return (
        spec.model,
        spec.resolved_base_url(),
        spec.api_key(),
        spec.temperature,
        spec.logprobs,
        spec.timeout_s,
        spec.max_retries,
        spec.max_tokens,
    )


def _build_chat_model(spec: ModelSpec) -> RawToolCallsChatOpenAI:
    base_url = spec.resolved_base_url()
    return RawToolCallsChatOpenAI(
        model=spec.model,
        base_url=base_url,
        api_key=spec.api_key(),
        temperature=spec.temperature,
        logprobs=True if spec.logprobs else None,
        timeout=spec.timeout_s,
        max_retries=spec.max_retries,
        max_tokens=spec.max_tokens,
        http_async_client=shared_async_client(base_url),
        # Some model names default to the Responses API; the planner contract is chat completions.
        use_responses_api=False,
    )


# Chat models hold no state between calls: one per spec and event loop serves every episode, so an episode
# builds no client and validates no settings (agents/http_clients.py says why per loop).
_CHAT_MODELS: PerLoop[RawToolCallsChatOpenAI] = PerLoop()
_BOUND_MODELS: PerLoop[Runnable[LanguageModelInput, BaseMessage]] = PerLoop()


def chat_model(spec: ModelSpec) -> ChatOpenAI:
    """A chat-completions client for an 'openai' spec: the running loop's shared one for these settings."""
    if spec.kind != "openai" or not spec.model:
        raise ValueError(f"chat_model() needs an 'openai:MODEL' spec, got {spec.label!r}")
    shared = _CHAT_MODELS.get(_model_key(spec), lambda: _build_chat_model(spec))
    return shared if shared is not None else _build_chat_model(spec)


def bound_chat_model(
    spec: ModelSpec, tools: Sequence[dict[str, Any]], *, tool_set: str
) -> Runnable[LanguageModelInput, BaseMessage]:
    """`chat_model(spec)` bound to `tools` (OpenAI tool schemas), once per loop and `tool_set`.

    `tool_set` names the schemas: one name must always come with the same schemas."""

    def bind() -> Runnable[LanguageModelInput, BaseMessage]:
        return chat_model(spec).bind_tools(list(tools))

    shared = _BOUND_MODELS.get((tool_set, *_model_key(spec)), bind)
    return shared if shared is not None else bind()


def openai_planner(spec: ModelSpec) -> Runnable[LanguageModelInput, BaseMessage]:
    """The planner model bound to exactly PLANNER_TOOLS."""
    return bound_chat_model(spec, PLANNER_TOOLS, tool_set="planner")
