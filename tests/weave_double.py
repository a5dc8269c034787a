"""A recording Weave trace server, so Weave's own client can run in tests with no network.

The installed `weave` wheel ships no local or in-memory trace server (its sqlite/ClickHouse servers live
in Weave's repository, not in the package). `WeaveClient` talks to any object with the trace-server
methods it uses, so this double answers them and records every request. Everything above it is Weave's
real code: op tracing, the call tree, `EvaluationLogger`, serialisation.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import weave
from weave.trace.context import weave_client_context
from weave.trace.weave_client import WeaveClient
from weave.vendor.weave_server_sdk import types


def _digest(value: Any) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:32]


def _plain(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else value.model_dump()


class RecordingTraceServer:
    """Answers the trace-server calls WeaveClient makes for ops and evaluations, and keeps them."""

    remote_request_bytes_limit = 10**9

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def _record(self, name: str, req: Any) -> dict[str, Any]:
        plain = _plain(req)
        with self._lock:
            self.requests.append((name, plain))
        return plain

    def get_feedback_processor(self) -> None:
        return None

    def obj_create(self, req: Any) -> types.ObjectCreateResponse:
        return types.ObjectCreateResponse(digest=_digest(self._record("obj_create", req)))

    def file_create(self, req: Any) -> types.FileCreateResponse:
        return types.FileCreateResponse(digest=_digest(self._record("file_create", req)))

    def table_create(self, req: Any) -> types.TableCreateResponse:
        plain = self._record("table_create", req)
        rows = plain["table"]["rows"]
        return types.TableCreateResponse(digest=_digest(plain), row_digests=[_digest(r) for r in rows])

    def call_start(self, req: Any) -> types.CallStartResponse:
        start = _plain(self._record("call_start", req)["start"])
        return types.CallStartResponse(id=start["id"], trace_id=start["trace_id"])

    def call_end(self, req: Any) -> None:
        self._record("call_end", req)

    def feedback_create(self, req: Any) -> types.FeedbackCreateResponse:
        plain = self._record("feedback_create", req)
        return types.FeedbackCreateResponse(
            id=_digest(plain), created_at="2026-01-01T00:00:00Z", wb_user_id="test", payload=plain.get("payload", {})
        )

    # -- reading what was recorded ------------------------------------------------------------------------

    def starts(self) -> list[dict[str, Any]]:
        return [_plain(req["start"]) for name, req in self.requests if name == "call_start"]

    def ends(self) -> dict[str, dict[str, Any]]:
        return {_plain(req["end"])["id"]: _plain(req["end"]) for name, req in self.requests if name == "call_end"}


def op_short_name(op_name: str) -> str:
    """'weave:///ent/proj/op/ccsim.planner:abc123' -> 'ccsim.planner'."""
    return op_name.rsplit("/", 1)[-1].split(":", 1)[0]


@contextmanager
def recording_weave(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingTraceServer]:
    """Weave's real client, on the recording server, as the process's current Weave client."""
    monkeypatch.setenv("WEAVE_DISABLED", "false")
    monkeypatch.setenv("WEAVE_PRINT_CALL_LINK", "false")
    server = RecordingTraceServer()
    client = WeaveClient("test-entity", "ccsim-test", server, ensure_project_exists=False)  # type: ignore[arg-type]
    previous = weave_client_context.get_weave_client()
    weave_client_context.set_weave_client_global(client)
    try:
        yield server
        client.flush()
    finally:
        weave_client_context.set_weave_client_global(previous)


__all__ = ["RecordingTraceServer", "op_short_name", "recording_weave", "weave"]
