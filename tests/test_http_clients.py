"""One HTTP client and one chat model per endpoint and event loop, shared by every episode (issue 10)."""

from __future__ import annotations

import asyncio

from ccsim.agents.graph import play_episode
from ccsim.agents.http_clients import MAX_CONNECTIONS, MIN_CONNECTIONS, RESERVED_FDS, max_connections
from ccsim.agents.http_clients import shared_async_client as client_for
from ccsim.agents.http_transport import ConnectionListTransport
from ccsim.agents.policies.openai_chat import chat_model, openai_planner
from ccsim.contact_center.config import EpisodeConfig, ModelSpec
from ccsim.contact_center.episode import EventLog
from tests.bank_fixtures import make_scenario
from tests.fake_openai import FakeOpenAIServer, ScriptedReply, ScriptedToolCall

SCRIPTED = ModelSpec(kind="scripted")
TRANSFER = ScriptedToolCall(name="transfer_to_human", arguments={"department": "fraud", "summary": "unknown charge"})


def spec(server: FakeOpenAIServer, **fields: object) -> ModelSpec:
    return ModelSpec.model_validate({"kind": "openai", "model": "m", "base_url": server.base_url, **fields})


def transfers(_body: dict) -> ScriptedReply:
    return ScriptedReply(tool_calls=[TRANSFER])


async def play(planner: ModelSpec, seed: int) -> str | None:
    result = await play_episode(
        make_scenario(),
        planner=planner,
        customer=SCRIPTED,
        helper=SCRIPTED,
        seed=seed,
        config=EpisodeConfig(max_turns=3),
        log=EventLog(),
    )
    return result.final_route.value if result.final_route else None


def transport_of(base_url: str) -> ConnectionListTransport:
    client = client_for(base_url)
    assert client is not None
    transport = client._transport  # the transport httpx was given
    assert isinstance(transport, ConnectionListTransport)
    return transport


async def test_episodes_share_one_model_and_one_connection_per_endpoint() -> None:
    with FakeOpenAIServer(transfers) as one, FakeOpenAIServer(transfers) as two:
        routes = [await play(spec(one), seed) for seed in range(6)]
        await asyncio.gather(*(play(spec(two), seed) for seed in range(8)))

        assert routes == ["fraud"] * 6 and len(one.requests) == 6 and len(two.requests) == 8
        # The same settings give the same model and binding; other settings or another endpoint do not.
        assert chat_model(spec(one)) is chat_model(spec(one))
        assert openai_planner(spec(one)) is openai_planner(spec(one))
        assert chat_model(spec(one, temperature=0.5)) is not chat_model(spec(one))
        assert chat_model(spec(one)) is not chat_model(spec(two))
        # Six episodes one after another used one connection; eight at once, at most eight.
        assert transport_of(one.base_url) is not transport_of(two.base_url)
        assert transport_of(one.base_url).connections == 1
        assert 1 <= transport_of(two.base_url).connections <= 8


def test_each_event_loop_gets_its_own_client() -> None:
    # A pooled connection belongs to the loop that opened it: a second asyncio.run must not reuse it.
    with FakeOpenAIServer(transfers) as server:

        async def one_run() -> tuple[object, object]:
            assert await play(spec(server), 1) == "fraud"
            return client_for(server.base_url), chat_model(spec(server))

        first, second = asyncio.run(one_run()), asyncio.run(one_run())

    assert first[0] is not second[0] and first[1] is not second[1]
    assert len(server.requests) == 2


def test_outside_an_event_loop_nothing_is_shared() -> None:
    assert client_for("http://127.0.0.1:9/v1") is None
    model = ModelSpec(kind="openai", model="m", base_url="http://127.0.0.1:9/v1")
    assert chat_model(model) is not chat_model(model)


def test_the_pool_fits_the_open_file_limit() -> None:
    # Concurrency 1,024 gets 1,024 connections under an ordinary limit, and a tight limit is respected.
    assert max_connections(20_000) == MAX_CONNECTIONS
    assert max_connections(1024 + RESERVED_FDS) == 1024
    assert max_connections(512) == 512 - RESERVED_FDS
    assert max_connections(100) == MIN_CONNECTIONS
