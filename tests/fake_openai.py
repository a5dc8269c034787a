"""A small OpenAI-compatible chat-completions server on loopback that replies from a script.

It is the test double for every LLM in the project (planner, helpers, customer, paraphraser, RULER
judge): tests talk to it over real HTTP through langchain-openai or the openai client, never by
patching a client. Replies are queued with `enqueue` (consumed in order) or computed by a `responder`
callable from the request body, so many concurrent episodes can share one server.
"""

from __future__ import annotations

import itertools
import json
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pydantic import BaseModel, Field


class ScriptedToolCall(BaseModel):
    name: str
    # A string is sent verbatim (so tests can send broken JSON); a dict is JSON-encoded.
    arguments: str | dict[str, Any] = Field(default_factory=dict)
    id: str | None = None


class ScriptedReply(BaseModel):
    """One scripted response: a message, an HTTP error, or a raw body."""

    text: str | None = None
    tool_calls: list[ScriptedToolCall] = Field(default_factory=list)
    logprobs: bool = False  # include per-token logprobs with 'token_id:N' tokens, as vLLM does for ART
    status: int = 200
    error_message: str = "scripted error"
    raw_body: str | None = None  # sent as-is with the status (malformed JSON tests)
    delay_s: float = 0.0
    finish_reason: str | None = None
    prompt_tokens: int = 11
    completion_tokens: int | None = None


Responder = Callable[[dict[str, Any]], ScriptedReply | dict[str, Any]]


def _tokens(text: str) -> list[str]:
    return [t for t in text.replace("\n", " \n ").split(" ") if t] or [""]


class FakeOpenAIServer:
    """`with FakeOpenAIServer() as server:` then point a client at `server.base_url`."""

    def __init__(self, responder: Responder | None = None, *, model: str = "fake-model") -> None:
        self.responder = responder
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.disconnects = 0  # delayed replies whose client hung up before the answer was ready
        self.api_key: str | None = None  # when set, requests without `Authorization: Bearer <it>` get a 401
        self._queue: deque[ScriptedReply] = deque()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting -------------------------------------------------------------------------------
    def enqueue(self, reply: ScriptedReply | None = None, /, **fields: Any) -> None:
        with self._lock:
            self._queue.append(reply if reply is not None else ScriptedReply(**fields))

    def _next_reply(self, body: dict[str, Any]) -> ScriptedReply:
        with self._lock:
            self.requests.append(body)
            if self._queue:
                return self._queue.popleft()
        if self.responder is not None:
            reply = self.responder(body)
            return reply if isinstance(reply, ScriptedReply) else ScriptedReply(**reply)
        return ScriptedReply(status=500, error_message="FakeOpenAIServer: no scripted reply left")

    # -- response building -----------------------------------------------------------------------
    def _completion(self, reply: ScriptedReply, body: dict[str, Any]) -> dict[str, Any]:
        n = next(self._ids)
        message: dict[str, Any] = {"role": "assistant", "content": reply.text}
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call.id or f"call_{n}_{i}",
                    "type": "function",
                    "function": {
                        "name": call.name,
                        "arguments": call.arguments if isinstance(call.arguments, str) else json.dumps(call.arguments),
                    },
                }
                for i, call in enumerate(reply.tool_calls)
            ]
        emitted = (reply.text or "") + "".join(
            tc["function"]["name"] + tc["function"]["arguments"] for tc in message.get("tool_calls", [])
        )
        tokens = _tokens(emitted)
        choice: dict[str, Any] = {
            "index": 0,
            "message": message,
            "finish_reason": reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop"),
            "logprobs": None,
        }
        if reply.logprobs:
            choice["logprobs"] = {
                "content": [
                    {
                        "token": f"token_id:{1000 + (sum(map(ord, tok)) % 30000)}",
                        "logprob": -0.05 * (i % 7 + 1),
                        "bytes": list(tok.encode()),
                        "top_logprobs": [],
                    }
                    for i, tok in enumerate(tokens)
                ]
            }
        completion_tokens = reply.completion_tokens if reply.completion_tokens is not None else len(tokens)
        return {
            "id": f"chatcmpl-fake-{n}",
            "object": "chat.completion",
            "created": 1_700_000_000 + n,
            "model": body.get("model", self.model),
            "choices": [choice],
            "usage": {
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": reply.prompt_tokens + completion_tokens,
            },
        }

    def _client_left(self, connection: socket.socket, delay_s: float) -> bool:
        """Wait `delay_s` as a busy server would, but notice when the client closes the connection."""
        deadline = time.monotonic() + delay_s
        while (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([connection], [], [], min(left, 0.05))
            if readable:
                try:
                    if connection.recv(1, socket.MSG_PEEK) == b"":
                        with self._lock:
                            self.disconnects += 1
                        return True
                except OSError:
                    return True
                time.sleep(left)
                return False
        return False

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> FakeOpenAIServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _send(self, status: int, payload: str) -> None:
                data = payload.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test); nothing to answer

            def _authorised(self) -> bool:
                if server.api_key is None or self.headers.get("Authorization") == f"Bearer {server.api_key}":
                    return True
                self._send(401, json.dumps({"error": {"message": "Incorrect API key provided", "code": 401}}))
                return False

            def do_GET(self) -> None:
                if not self._authorised():
                    return
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, json.dumps({"object": "list", "data": [{"id": server.model}]}))
                else:
                    self._send(404, json.dumps({"error": {"message": "not found"}}))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except json.JSONDecodeError:
                    self._send(400, json.dumps({"error": {"message": "invalid JSON body"}}))
                    return
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, json.dumps({"error": {"message": f"unknown path {self.path}"}}))
                    return
                if not self._authorised():
                    return
                reply = server._next_reply(body)
                if reply.delay_s and server._client_left(self.connection, reply.delay_s):
                    self.close_connection = True
                    return
                if reply.raw_body is not None:
                    self._send(reply.status, reply.raw_body)
                elif reply.status != 200:
                    error = {"error": {"message": reply.error_message, "type": "scripted", "code": reply.status}}
                    self._send(reply.status, json.dumps(error))
                else:
                    self._send(200, json.dumps(server._completion(reply, body)))

        # Many concurrent episodes connect at once; the default listen backlog of 5 resets some of them.
        ThreadingHTTPServer.request_queue_size = 128
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
