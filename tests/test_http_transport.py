"""ConnectionListTransport: a connection per request in flight, reused once free, over real loopback HTTP."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from ccsim.agents.http_transport import ConnectionListTransport
from tests.fake_openai import FakeOpenAIServer, ScriptedReply


def slow(_body: dict) -> ScriptedReply:
    return ScriptedReply(text="ok", delay_s=0.2)


async def post(client: httpx.AsyncClient, server: FakeOpenAIServer, **kwargs: object) -> str:
    response = await client.post(f"{server.base_url}/chat/completions", json={"model": "m"}, **kwargs)  # type: ignore[arg-type]
    response.raise_for_status()
    return str(response.json()["choices"][0]["message"]["content"])


async def test_requests_in_flight_get_a_connection_each_and_later_ones_reuse_them() -> None:
    transport = ConnectionListTransport(max_connections=16)
    with FakeOpenAIServer(slow) as server:
        async with httpx.AsyncClient(transport=transport) as client:
            assert await asyncio.gather(*(post(client, server) for _ in range(5))) == ["ok"] * 5
            assert transport.connections == 5
            assert await asyncio.gather(*(post(client, server) for _ in range(5))) == ["ok"] * 5
            assert await post(client, server) == "ok"
            assert transport.connections == 5  # all reused: nothing new was opened


async def test_past_the_limit_requests_wait_for_a_connection() -> None:
    transport = ConnectionListTransport(max_connections=2)
    with FakeOpenAIServer(slow) as server:
        async with httpx.AsyncClient(transport=transport) as client:
            assert await asyncio.gather(*(post(client, server) for _ in range(6))) == ["ok"] * 6
            assert transport.connections == 2
    assert len(server.requests) == 6


async def test_a_cancelled_request_gives_its_connection_back() -> None:
    transport = ConnectionListTransport(max_connections=1)
    with FakeOpenAIServer(slow) as server:
        async with httpx.AsyncClient(transport=transport) as client:
            with pytest.raises(httpx.ReadTimeout):
                await post(client, server, timeout=0.05)
            # The one connection slot is free again: the next request is not stuck behind the dead one.
            assert await post(client, server, timeout=5) == "ok"
            assert transport.connections == 1


def test_it_needs_room_for_one_connection() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ConnectionListTransport(max_connections=0)


def test_every_pool_shares_one_tls_context_built_once() -> None:
    # A run builds a new pool on its own event loop; parsing the CA bundle again for each would cost CPU.
    first, second = ConnectionListTransport(max_connections=2), ConnectionListTransport(max_connections=2)
    assert first._transport_args["verify"] is second._transport_args["verify"]
    assert ConnectionListTransport(max_connections=2, verify=False)._transport_args["verify"] is False
