"""An httpx transport that hands each request a free connection in O(1), however many connections are open.

httpcore's connection pool looks at every pooled connection on each request and on each response close,
and asks the socket of every idle one whether the server hung up (a system call each). At hundreds of
episodes in flight that scan was the largest single cost of an episode (benchmarks/cpu_per_episode.py,
issue 10). Here each connection lives in its own one-connection httpcore pool, and a free list of idle
ones says which to use next: the scan covers one connection, and httpcore still does everything else
(keep-alive, expiry, reconnecting after the server closed a connection, timeouts).
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx


@functools.lru_cache(maxsize=1)
def default_ssl_context() -> ssl.SSLContext:
    """httpx's default TLS context (certifi's CA bundle, certificates verified), built once per process: each
    run's event loop gets a new pool (agents/http_clients.py), and parsing the CA bundle again for each costs
    a tenth of a second or more. The context holds settings only, never a connection, so sharing it is safe."""
    return httpx.create_ssl_context()


class _ReleasingStream(httpx.AsyncByteStream):
    """A response body that gives its connection back when the response is closed."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            release, self._release = self._release, None
            if release is not None:  # closing twice gives the connection back once
                release()


class ConnectionListTransport(httpx.AsyncBaseTransport):
    """Up to `max_connections` connections, each reused as soon as its last response is closed.

    Idle connections are reused last-in first-out, so the ones not needed after a burst expire
    (`keepalive_expiry`, httpx's 5 s by default: shorter than most servers keep an idle connection open)
    instead of being kept warm in turn. Past `max_connections`, a request queues on
    the connection with the fewest requests, under the request's own pool timeout.
    """

    def __init__(self, *, max_connections: int, keepalive_expiry: float | None = 5.0, **transport: Any) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self.max_connections = max_connections
        self._transport_args = transport
        # One TLS context for all connections: building one costs milliseconds (the CA bundle is parsed).
        self._transport_args.setdefault("verify", default_ssl_context())
        self._limits = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=keepalive_expiry)
        self._in_flight: dict[httpx.AsyncHTTPTransport, int] = {}
        self._idle: list[httpx.AsyncHTTPTransport] = []

    @property
    def connections(self) -> int:
        """Connection slots opened so far (each holds at most one connection)."""
        return len(self._in_flight)

    def _acquire(self) -> httpx.AsyncHTTPTransport:
        if self._idle:
            slot = self._idle.pop()
        elif len(self._in_flight) < self.max_connections:
            slot = httpx.AsyncHTTPTransport(limits=self._limits, **self._transport_args)
            self._in_flight[slot] = 0
        else:
            slot = min(self._in_flight, key=self._in_flight.__getitem__)
        self._in_flight[slot] += 1
        return slot

    def _release(self, slot: httpx.AsyncHTTPTransport) -> None:
        self._in_flight[slot] -= 1
        if self._in_flight[slot] == 0:
            self._idle.append(slot)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        slot = self._acquire()
        try:
            response = await slot.handle_async_request(request)
        except BaseException:  # cancelled or failed: httpcore has closed what it must; the slot is free again
            self._release(slot)
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _ReleasingStream(response.stream, lambda: self._release(slot))
        return response

    async def aclose(self) -> None:
        slots, self._in_flight, self._idle = list(self._in_flight), {}, []
        for slot in slots:
            await slot.aclose()
