"""One pooled HTTP client per endpoint and event loop, shared by every chat model that talks to that endpoint.

Building a client per episode costs milliseconds of CPU (a new openai client, TLS context, platform
probe) and a new connection per call; one shared pool keeps connections open across episodes. The pool
is keyed by event loop as well as endpoint: a pooled connection belongs to the loop that opened it, so a
second `ccsim.simulate()` (a new `asyncio.run`) must not reuse the first one's.

The pool admits as many connections as the process may open files, less a reserve, up to
`MAX_CONNECTIONS`, and keeps every one of them alive between calls (with fewer keep-alive slots than
requests in flight, each round of calls would close and reopen the excess connections). It is a
`ConnectionListTransport`: httpcore's own pool costs CPU in proportion to its size on every request.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import httpx
import openai

from ccsim.agents.http_transport import ConnectionListTransport

T = TypeVar("T")

# Concurrency 1,024 needs 1,024 connections; the cap only guards a process with an unlimited file limit.
MAX_CONNECTIONS = 4096
# File descriptors left for everything else (run folder, logs, the event loop, imported libraries).
RESERVED_FDS = 256
MIN_CONNECTIONS = 64


def max_connections(fd_limit: int | None = None) -> int:
    """How many connections one endpoint's pool may hold, given the process's open-file limit."""
    if fd_limit is None:
        fd_limit = _fd_limit()
    return max(MIN_CONNECTIONS, min(MAX_CONNECTIONS, fd_limit - RESERVED_FDS))


def _fd_limit() -> int:
    try:
        import resource
    except ImportError:  # not on POSIX: no such limit to respect
        return MAX_CONNECTIONS + RESERVED_FDS
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return MAX_CONNECTIONS + RESERVED_FDS if soft == resource.RLIM_INFINITY else int(soft)


class PerLoop(Generic[T]):
    """Values built once per running event loop and key, dropped with their loop.

    A cache, not shared state: what it holds is derived from the key alone, and nothing outlives the
    loop it was built on (the loop is held weakly).
    """

    def __init__(self) -> None:
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, T]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, key: Hashable, build: Callable[[], T]) -> T | None:
        """The value for `key` on the running loop, built on first use; None outside a running loop."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        values = self._by_loop.setdefault(loop, {})
        value = values.get(key)
        if value is None:
            value = values[key] = build()
        return value


_CLIENTS: PerLoop[httpx.AsyncClient] = PerLoop()


def shared_async_client(base_url: str | None) -> httpx.AsyncClient | None:
    """The running loop's HTTP client for `base_url` (None: the default endpoint); None outside a loop."""
    return _CLIENTS.get(base_url or "", _new_client)


def _new_client() -> httpx.AsyncClient:
    # openai's defaults (timeouts, redirects) with the O(1) connection list in place of httpcore's pool.
    return openai.DefaultAsyncHttpxClient(transport=ConnectionListTransport(max_connections=max_connections()))
