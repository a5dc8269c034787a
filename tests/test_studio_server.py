"""`langgraph dev` serves the Studio graph: its schemas load and a run plays one episode, over HTTP.

Runs only where LangGraph's in-memory server is installed (`pip install -e ".[studio]"`); it is not in the
`dev` extra because langgraph-api pins protobuf below the version the rest of the stack gets. Elsewhere
`tests/test_studio.py` loads the graph through langgraph.json in-process, as the server does.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
LANGGRAPH = shutil.which("langgraph", path=str(Path(sys.executable).parent)) or shutil.which("langgraph")

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("langgraph_api") is None or LANGGRAPH is None,
    reason="SKIPPED: langgraph-cli[inmem] is not installed (pip install -e '.[studio]'); "
    "tests/test_studio.py covers loading the graph through langgraph.json in-process",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(url: str, body: dict[str, Any] | None = None, timeout: float = 60) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def test_langgraph_dev_serves_schemas_and_plays_an_episode(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "LANGSMITH_TRACING": "false",
        "LANGCHAIN_TRACING_V2": "false",
        "WEAVE_DISABLED": "true",
    }
    assert LANGGRAPH is not None
    command = [LANGGRAPH, "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1", "--port", str(port)]
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _call(f"{base}/ok", timeout=2)
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "langgraph dev did not start in 120 s"
                time.sleep(0.5)
        assistant = _call(f"{base}/assistants/search", {"graph_id": "contact_center"})[0]["assistant_id"]
        schemas = _call(f"{base}/assistants/{assistant}/schemas")
        assert {"scenario_id", "opening", "planner"} <= set(schemas["input_schema"]["properties"])
        result = _call(
            f"{base}/runs/wait",
            {"assistant_id": assistant, "input": {"scenario_id": "sc-7-000042"}, "context": {"planner": "rules"}},
            timeout=120,
        )
        assert result["scenario_id"] == "sc-7-000042"
        assert result["status"] in ("completed", "turn_limit") and result["transcript"]
        assert result["route_correct"] == (result["final_route"] == result["expected_route"])
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
