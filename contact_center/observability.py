"""Observability modes (docs/architecture.md, "Observability"): off, local (default) and weave.

Weave is switched on only when WANDB_API_KEY is set or a project is asked for explicitly. Otherwise it
is disabled through the environment before LangChain, ART or Weave are imported, because `weave.init`
prompts for a key or hangs without a network. `import ccsim` applies that default, so every entry point
(API, CLI, tests) gets it first.

Weave itself is imported only when it is started: importing it costs about two seconds, which every
command (`--help` included) and every library user would otherwise pay.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any, Literal, ParamSpec, TypeVar

ObservabilityMode = Literal["off", "local", "weave"]

_QUIET_ENV = {
    "WEAVE_DISABLED": "true",
    "WANDB_DISABLE_WEAVE": "true",
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING_V2": "false",
    # ART imports litellm, which otherwise fetches a price list at import time.
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "WEAVE_PRINT_CALL_LINK": "false",
}

P = ParamSpec("P")
R = TypeVar("R")


def weave_wanted(project: str | None = None) -> bool:
    return bool(project) or bool(os.environ.get("WANDB_API_KEY"))


def apply_offline_defaults() -> None:
    """Disable remote tracing unless the user has a W&B key (idempotent; never overrides explicit settings)."""
    quiet = dict(_QUIET_ENV)
    if weave_wanted():
        quiet.pop("WEAVE_DISABLED")
        quiet.pop("WANDB_DISABLE_WEAVE")
    for key, value in quiet.items():
        os.environ.setdefault(key, value)


apply_offline_defaults()


def weave_active() -> bool:
    """Whether a Weave client is running in this process (never imports Weave to find out)."""
    if "weave" not in sys.modules:
        return False
    from weave.trace.context.weave_client_context import get_weave_client

    return get_weave_client() is not None


@functools.cache
def _weave_op(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    import weave

    return weave.op(name=f"ccsim.{name}")(fn)


def traced(name: str) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Trace a coarse async unit of work as a `weave.op` while Weave runs; a plain call otherwise."""

    def wrap(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(fn)
        async def call(*args: P.args, **kwargs: P.kwargs) -> R:
            if weave_active():
                result: R = await _weave_op(fn, name)(*args, **kwargs)
                return result
            return await fn(*args, **kwargs)

        return call

    return wrap


def init_weave(project: str | None) -> bool:
    """Start Weave when a project is given or WANDB_API_KEY is set; return whether it started."""
    if not weave_wanted(project):
        return False
    os.environ.pop("WEAVE_DISABLED", None)
    os.environ.pop("WANDB_DISABLE_WEAVE", None)
    import weave

    weave.init(project or os.environ.get("CCSIM_WEAVE_PROJECT", "ccsim"))
    return True
