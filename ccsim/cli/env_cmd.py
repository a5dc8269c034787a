"""`ccsim serve-env`: serve the contact center as an OpenEnv environment over HTTP and WebSocket."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ccsim.cli.common import console, fail


def serve_env(
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option("--host", help="Interface to bind (0.0.0.0 to accept remote clients).")] = (
        "127.0.0.1"
    ),
    scenarios: Annotated[
        Path | None,
        typer.Option("--scenarios", "-s", help="Scenario file (.jsonl or .csv); default: 200 generated ones."),
    ] = None,
    split: Annotated[str | None, typer.Option("--split", help="Only this split of the file (train/val/test).")] = None,
    reward: Annotated[str | None, typer.Option("--reward", "-r", help="module:function reward (default: shared).")] = (
        None
    ),
    max_turns: Annotated[int, typer.Option("--max-turns", help="Planner turns before an episode fails.")] = 8,
    max_sessions: Annotated[int, typer.Option("--max-sessions", help="Concurrent WebSocket sessions.")] = 64,
) -> None:
    """Serve the environment for OpenEnv clients (TRL, Unsloth, SkyRL, ...): one episode per session."""
    try:
        import uvicorn

        from ccsim.env.openenv_env import create_env_app
    except ImportError as exc:
        fail(f'serve-env needs OpenEnv: pip install "ccsim[openenv]" ({exc})')
    import ccsim

    pool = None
    if scenarios is not None:
        pool = [s for s in ccsim.load_scenarios(scenarios) if split is None or s.split.value == split]
        if not pool:
            fail(f"no scenarios in {scenarios}" + (f" with split {split!r}" if split else ""))
    app = create_env_app(pool, max_concurrent_envs=max_sessions, reward=reward, max_turns=max_turns)
    console.print(f"serving the ccsim contact center (OpenEnv) on http://{host}:{port}  (ws: /ws)", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")
