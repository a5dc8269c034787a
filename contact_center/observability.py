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
import warnings
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
    # wandb and Weave report their own errors to Sentry: DNS lookups on every command, --help included.
    "WANDB_ERROR_REPORTING": "false",
}
_OFFLINE_WANDB_MODES = ("offline", "disabled", "dryrun")
_set_by_us: set[str] = set()  # what apply_offline_defaults set, as opposed to what the user exported

P = ParamSpec("P")
R = TypeVar("R")


def weave_refused() -> str | None:
    """The user's own setting that keeps Weave off (`WEAVE_DISABLED=true`, `WANDB_MODE=offline`), if any."""
    if "WEAVE_DISABLED" not in _set_by_us and os.environ.get("WEAVE_DISABLED", "").lower() in ("1", "true", "yes"):
        return "WEAVE_DISABLED=" + os.environ["WEAVE_DISABLED"]
    if os.environ.get("WANDB_MODE", "").lower() in _OFFLINE_WANDB_MODES:
        return "WANDB_MODE=" + os.environ["WANDB_MODE"]
    return None


def weave_wanted(project: str | None = None) -> bool:
    if weave_refused():
        return False
    return bool(project) or bool(os.environ.get("WANDB_API_KEY"))


def apply_offline_defaults() -> None:
    """Disable remote tracing unless the user has a W&B key (idempotent; never overrides explicit settings)."""
    quiet = dict(_QUIET_ENV)
    if weave_wanted():
        quiet.pop("WEAVE_DISABLED")
        quiet.pop("WANDB_DISABLE_WEAVE")
    for key, value in quiet.items():
        if key not in os.environ:
            os.environ[key] = value
            _set_by_us.add(key)


apply_offline_defaults()


def weave_active() -> bool:
    """Whether a Weave client is running in this process (never imports Weave to find out)."""
    if "weave" not in sys.modules:
        return False
    from weave.trace.context.weave_client_context import get_weave_client

    return get_weave_client() is not None


@functools.cache
def _weave_op(fn: Callable[..., Any], name: str, hide: tuple[str, ...] = ()) -> Callable[..., Any]:
    import weave

    def visible(inputs: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in inputs.items() if key not in hide}

    return weave.op(name=f"ccsim.{name}", postprocess_inputs=visible if hide else None)(fn)


def traced(
    name: str, *, hide: tuple[str, ...] = ()
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Trace a coarse async unit of work as a `weave.op` named `ccsim.<name>` while a Weave client runs; a
    plain call otherwise (about 1 to 3.5 us: benchmarks/tracing_overhead.py; Weave is never imported to find out).

    Nested traced calls (episode -> planner, helper -> tool) form Weave's call tree. `hide` names inputs kept
    out of the trace (live objects such as a chat model or a toolbox)."""

    def wrap(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(fn)
        async def call(*args: P.args, **kwargs: P.kwargs) -> R:
            if weave_active():
                result: R = await _weave_op(fn, name, hide)(*args, **kwargs)
                return result
            return await fn(*args, **kwargs)

        return call

    return wrap


def init_weave(project: str | None) -> bool:
    """Start Weave when a project is given or WANDB_API_KEY is set; return whether it started.

    `WEAVE_DISABLED=true` or `WANDB_MODE=offline` set by the user win over both. A `weave.init` that fails
    (no network, a bad key) becomes one UserWarning and the run goes on with its local run folder.
    """
    if not weave_wanted(project):
        return False
    if weave_active():
        return True
    restore: dict[str, str] = {
        key: os.environ.pop(key) for key in ("WEAVE_DISABLED", "WANDB_DISABLE_WEAVE") if key in _set_by_us
    }
    try:
        import weave

        weave.init(project or os.environ.get("CCSIM_WEAVE_PROJECT", "ccsim"))
    except Exception as exc:  # Weave mirrors the run folder; it must never stop a run
        os.environ.update(restore)
        detail = (str(exc).strip().splitlines() or [""])[0][:200]
        warnings.warn(
            f"Weave did not start ({type(exc).__name__}: {detail}); the run goes on, recorded in its run folder only. "
            "Use --no-weave or WEAVE_DISABLED=true to skip it.",
            UserWarning,
            stacklevel=2,
        )
        return False
    return True
