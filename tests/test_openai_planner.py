"""The graph with an OpenAI-compatible planner, over real HTTP against the loopback fake server."""

from __future__ import annotations

import asyncio
import json

import openai
import pytest

from ccsim.agents.graph import PlayResult, play_episode
from ccsim.agents.planner_actions import PLANNER_TOOLS
from ccsim.agents.prompts import STOP_TOKEN
from ccsim.contact_center.config import EpisodeConfig, ModelSpec
from ccsim.contact_center.episode import EventLog
from ccsim.contact_center.models import StateRequirement
from ccsim.contact_center.taxonomy import Route
from tests.bank_fixtures import make_scenario
from tests.fake_openai import FakeOpenAIServer, ScriptedReply, ScriptedToolCall

SCRIPTED = ModelSpec(kind="scripted")


def planner_spec(server: FakeOpenAIServer, **overrides: object) -> ModelSpec:
    fields: dict[str, object] = {
        "kind": "openai",
        "model": "fake-planner",
        "base_url": server.base_url,
        "max_retries": 0,
        "timeout_s": 10,
        "logprobs": True,
    }
    fields.update(overrides)
    return ModelSpec.model_validate(fields)


def lost_card_scenario():  # type: ignore[no-untyped-def]
    scenario = make_scenario()
    card_id = scenario.facts.card_id
    return scenario.model_copy(
        update={"required_state": [StateRequirement(target="card_status", card_id=card_id, value="locked")]}
    )


async def play(server: FakeOpenAIServer, log: EventLog, max_turns: int = 6, **spec: object) -> PlayResult:
    return await play_episode(
        lost_card_scenario(),
        planner=planner_spec(server, **spec),
        customer=SCRIPTED,
        helper=SCRIPTED,
        seed=3,
        config=EpisodeConfig(max_turns=max_turns),
        log=log,
    )


def assistant_turns(result: PlayResult) -> list[dict]:
    return [m for m in result.planner_messages if m["role"] == "assistant"]


async def test_a_tool_call_routes_and_the_choice_keeps_logprobs_and_raw_arguments() -> None:
    raw_arguments = '{"agent":"card_services",  "task":"Lock and replace the lost card."}'
    with FakeOpenAIServer() as server:
        server.enqueue(tool_calls=[ScriptedToolCall(name="delegate", arguments=raw_arguments)], logprobs=True)
        log = EventLog()
        result = await play(server, log)
        request = server.requests[0]

    assert result.status == "completed"
    assert result.final_route is Route.CARD_SERVICES
    assert result.unmet_requirements == []
    assert result.planner_calls == 1 and result.invalid_actions == 0
    # What was bound is what is exported.
    assert request["tools"] == PLANNER_TOOLS == result.planner_tools
    assert request["logprobs"] is True
    turn = assistant_turns(result)[0]
    assert turn["tool_calls"][0]["function"]["arguments"] == raw_arguments
    assert turn["choice"]["finish_reason"] == "tool_calls"
    assert turn["choice"]["message"]["tool_calls"] == turn["tool_calls"]
    tokens = turn["choice"]["logprobs"]["content"]
    assert tokens and all(t["token"].startswith("token_id:") for t in tokens)
    tool_reply = next(m for m in result.planner_messages if m["role"] == "tool")
    assert tool_reply["tool_call_id"] == turn["tool_calls"][0]["id"]
    assert "locked" in tool_reply["content"]
    # Usage of the planner call, by the model name the endpoint reported.
    assert result.usage_by_model["fake-planner"].prompt_tokens == 11
    assert result.usage_by_model["fake-planner"].completion_tokens == len(tokens)
    assert result.planner_latency_s > 0
    kinds = [e.kind for e in log.events]
    assert kinds[:2] == ["customer_message", "planner_action"]
    assert {"tool_call", "tool_result", "helper_message", "end"} <= set(kinds)
    action = next(e for e in log.events if e.kind == "planner_action")
    assert action.model == "fake-planner" and action.usage is not None and action.usage.prompt_tokens == 11


async def test_a_text_reply_goes_to_the_customer_who_answers_it() -> None:
    question = "Is the card lost or stolen, and are there any charges on it you didn't make?"
    with FakeOpenAIServer() as server:
        server.enqueue(text=question, logprobs=True)
        server.enqueue(
            tool_calls=[ScriptedToolCall(name="delegate", arguments={"agent": "card_services", "task": "x"})]
        )
        log = EventLog()
        result = await play(server, log)
        second_request = server.requests[1]

    assert result.final_route is Route.CARD_SERVICES
    assert result.customer_turns == 3  # opening, the answer, the thanks
    planner_said = [e.content for e in log.events if e.kind == "planner_message"]
    assert planner_said == [question]
    answer = second_request["messages"][-1]
    assert answer["role"] == "user"
    assert "lost" in answer["content"] and "don't see any charges" in answer["content"]
    first = assistant_turns(result)[0]
    assert first["content"] == question and first["choice"]["finish_reason"] == "stop"
    assert "tool_calls" not in first


async def test_broken_json_and_an_unknown_department_are_counted_and_kept() -> None:
    with FakeOpenAIServer() as server:
        server.enqueue(tool_calls=[ScriptedToolCall(name="transfer_to_human", arguments='{"department": "fraud", "su')])
        server.enqueue(
            tool_calls=[ScriptedToolCall(name="transfer_to_human", arguments={"department": "pizza", "summary": "s"})]
        )
        server.enqueue(text="")
        server.enqueue(
            tool_calls=[
                ScriptedToolCall(
                    name="transfer_to_human", arguments={"department": "fraud", "summary": "lost card 4821"}
                )
            ]
        )
        log = EventLog()
        result = await play(server, log)
        last_request = server.requests[-1]

    assert result.invalid_actions == 3
    assert result.planner_calls == 4
    assert result.final_route is Route.FRAUD
    assert result.handoff_summary == "lost card 4821"
    tool_errors = [m["content"] for m in result.planner_messages if m["role"] == "tool"]
    assert "not valid JSON" in tool_errors[0]
    assert "unknown department 'pizza'" in tool_errors[1]
    assert assistant_turns(result)[0]["tool_calls"][0]["function"]["arguments"] == '{"department": "fraud", "su'
    # The planner saw its errors: the broken call went back verbatim, followed by the error.
    sent = last_request["messages"]
    assert any(m.get("tool_calls") and m["tool_calls"][0]["function"]["arguments"].endswith('"su') for m in sent)
    assert any(m["role"] == "user" and "empty" in m["content"] for m in sent)
    assert [e.kind for e in log.events].count("invalid_action") == 3


async def test_a_planner_that_keeps_asking_hits_the_turn_limit() -> None:
    def keep_asking(body: dict) -> ScriptedReply:
        return ScriptedReply(text="Could you tell me a bit more about what's going on?")

    with FakeOpenAIServer(responder=keep_asking) as server:
        log = EventLog()
        result = await play(server, log, max_turns=3)

    assert result.status == "turn_limit"
    assert result.final_route is None
    assert result.planner_calls == 3
    assert len(server.requests) == 3
    assert log.events[-1].kind == "end" and "Turn limit" in log.events[-1].content


@pytest.mark.parametrize(("status", "error"), [(500, openai.InternalServerError), (429, openai.RateLimitError)])
async def test_server_errors_are_retried_then_raised(status: int, error: type[Exception]) -> None:
    with FakeOpenAIServer() as server:
        for _ in range(2):
            server.enqueue(status=status, error_message="scripted failure")
        log = EventLog()
        with pytest.raises(error):
            await play(server, log, max_retries=1)
        assert len(server.requests) == 2  # the first try and one retry
    # The transcript up to the failure survives in the runner's log.
    assert [e.kind for e in log.events] == ["customer_message"]


async def test_the_planners_own_calls_are_sent_back_with_their_ids() -> None:
    raw = '{"agent": "fraud", "task": "look into it"}'
    with FakeOpenAIServer() as server:
        server.enqueue(tool_calls=[ScriptedToolCall(name="delegate", arguments=raw, id="call_abc")])
        server.enqueue(
            tool_calls=[ScriptedToolCall(name="delegate", arguments={"agent": "card_services", "task": "lock it"})]
        )
        result = await play(server, EventLog())
        retry_prompt = server.requests[-1]["messages"]
    assert result.invalid_actions == 1
    assert result.final_route is Route.CARD_SERVICES
    sent_call = next(m for m in retry_prompt if m.get("tool_calls"))["tool_calls"][0]
    assert sent_call["id"] == "call_abc"
    assert json.loads(sent_call["function"]["arguments"]) == json.loads(raw)
    error = next(m for m in retry_prompt if m["role"] == "tool")
    assert error["tool_call_id"] == "call_abc" and "human department" in error["content"]


async def test_the_request_skips_the_sdk_transform_and_sends_what_the_transform_would() -> None:
    # The payload goes out untransformed (openai_chat.passthrough_request); that is only right while the SDK's
    # transform leaves such a payload unchanged. Here it is the planner's real payload, tool results and all.
    from openai._utils._transform import async_maybe_transform
    from openai.types.chat import completion_create_params

    raw = '{"agent": "fraud", "task": "look into it"}'
    with FakeOpenAIServer() as server:
        server.enqueue(tool_calls=[ScriptedToolCall(name="delegate", arguments=raw, id="call_abc")], logprobs=True)
        server.enqueue(tool_calls=[ScriptedToolCall(name="transfer_to_human", arguments={"department": "fraud"})])
        server.enqueue(text="Which charge do you not recognise?", logprobs=True)
        server.enqueue(
            tool_calls=[ScriptedToolCall(name="transfer_to_human", arguments={"department": "fraud", "summary": "s"})]
        )
        await play(server, EventLog(), max_tokens=64)
        sent = server.requests

    assert len(sent) == 4 and sent[-1]["max_completion_tokens"] == 64 and sent[-1]["logprobs"] is True
    for body in sent:
        transformed = await async_maybe_transform(body, completion_create_params.CompletionCreateParamsNonStreaming)
        assert transformed == body


async def test_32_concurrent_episodes_with_llm_planner_customer_and_helpers() -> None:
    def respond(body: dict) -> ScriptedReply:
        roles = [m["role"] for m in body["messages"]]
        if body["model"] == "fake-planner":
            call = ScriptedToolCall(name="delegate", arguments={"agent": "card_services", "task": "lock the card"})
            return ScriptedReply(tool_calls=[call], logprobs=True)
        if body["model"] == "fake-helper":
            if "tool" not in roles:
                return ScriptedReply(tool_calls=[ScriptedToolCall(name="lock_card", arguments={"card_id": "CARD-A1"})])
            return ScriptedReply(text="Your card is locked.", prompt_tokens=5)
        return ScriptedReply(text=f"Thanks! {STOP_TOKEN}", prompt_tokens=7)

    with FakeOpenAIServer(responder=respond) as server:
        # The fake server's listen backlog is small: a burst of 32 connections can be reset, and the client's
        # retries are what a real deployment relies on too.
        def spec(model: str, logprobs: bool = False) -> ModelSpec:
            return planner_spec(server, model=model, logprobs=logprobs, max_retries=3)

        async def one() -> PlayResult:
            return await play_episode(
                lost_card_scenario(),
                planner=spec("fake-planner", logprobs=True),
                customer=spec("fake-customer"),
                helper=spec("fake-helper"),
                seed=1,
                config=EpisodeConfig(max_turns=4),
                log=EventLog(),
            )

        results = await asyncio.gather(*(one() for _ in range(32)))

    for result in results:
        assert result.final_route is Route.CARD_SERVICES and result.unmet_requirements == []
        assert set(result.usage_by_model) == {"fake-planner", "fake-helper", "fake-customer"}
        assert result.usage_by_model["fake-helper"].prompt_tokens == 11 + 5
        assert result.usage_by_model["fake-customer"].prompt_tokens == 7
    assert len(server.requests) >= 32 * 4
