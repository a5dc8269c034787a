"""Test-wide guards: tests are offline (loopback only) and never start Weave or W&B."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

# Before anything imports LangChain, ART or Weave (docs/architecture.md).
for _key in ("WANDB_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
    os.environ.pop(_key, None)
import ccsim.contact_center.observability  # noqa: E402,F401

_LOOPBACK = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}


class NetworkAttempts(list[str]):
    """Every non-loopback connection or DNS lookup a test tried."""


def _host(address: object) -> str:
    return str(address[0]) if isinstance(address, tuple) else str(address)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkAttempts]:
    attempts = NetworkAttempts()
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def guarded_connect(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6) and _host(address) not in _LOOPBACK:
            attempts.append(f"connect {address}")
            raise ConnectionRefusedError(f"tests are offline: refused connection to {address}")
        return real_connect(self, address)

    def guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if host is not None and str(host) not in _LOOPBACK:
            attempts.append(f"getaddrinfo {host}")
            raise socket.gaierror(f"tests are offline: refused lookup of {host}")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield attempts
