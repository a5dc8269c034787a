"""Observability modes (DESIGN section 8): off, local (default) and weave.

Weave is switched on only when WANDB_API_KEY is set or a project is asked for explicitly. Otherwise it
is disabled through the environment before LangChain, ART or Weave are imported, because `weave.init`
prompts for a key or hangs without a network. Importing this module is what applies that default, so
every entry point imports it first.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Literal, TypeVar

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

import weave  # noqa: E402  (imported after the environment is settled)

F = TypeVar("F", bound=Callable[..., object])


def traced(name: str) -> Callable[[F], F]:
    """`weave.op` for a coarse unit of work; a few microseconds when Weave is disabled."""

    def wrap(fn: F) -> F:
        return weave.op(name=f"ccsim.{name}")(fn)  # type: ignore[return-value]

    return wrap


def init_weave(project: str | None) -> bool:
    """Start Weave when a project is given or WANDB_API_KEY is set; return whether it started."""
    if not weave_wanted(project):
        return False
    os.environ.pop("WEAVE_DISABLED", None)
    os.environ.pop("WANDB_DISABLE_WEAVE", None)
    weave.init(project or os.environ.get("CCSIM_WEAVE_PROJECT", "ccsim"))
    return True
