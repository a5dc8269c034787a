"""Pieces every command shares: readable errors, parsing of mixes and specs.

Only typer and rich load with this module: `ccsim --help` must stay fast, so everything else is imported
inside the command that needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from functools import wraps
from typing import TYPE_CHECKING, Any, Literal, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from ccsim.contact_center.config import ModelSpec

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")
E = TypeVar("E", bound=Enum)

# The values of ccsim.contact_center.models.Split, spelled out so that --help need not import pydantic models
# (tests/test_cli_startup.py checks they agree).
SplitName = Literal["train", "val", "test"]


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {escape(message)}", emoji=False, soft_wrap=True)
    raise typer.Exit(code)


def readable_errors(*handled: type[BaseException]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Turn the expected failures of a command into one clear line and a non-zero exit, not a traceback."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @wraps(fn)
        def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            except handled as exc:
                fail(str(exc))

        return inner

    return wrap


def parse_mix(text: str | None, enum: type[E], option: str) -> dict[E, float] | None:
    """'fraud=2,disputes=1' -> {Route.FRAUD: 2.0, Route.DISPUTES: 1.0}."""
    if not text:
        return None
    mix: dict[E, float] = {}
    for part in text.split(","):
        name, sep, weight = part.partition("=")
        try:
            key = enum(name.strip().lower())
            mix[key] = float(weight) if sep else 1.0
        except ValueError:
            known = ", ".join(str(m.value) for m in enum)
            fail(f"{option}: cannot read {part!r}; use NAME=WEIGHT pairs with NAME one of: {known}")
    return mix


def model_spec(
    spec: str,
    *,
    base_url: str | None = None,
    model: str | None = None,
    temperature: float | None = None,
    logprobs: bool | None = None,
    api_key_env: str | None = None,
    **endpoint: Any,
) -> ModelSpec:
    """A spec string, where --*-model / --*-base-url turn any spec into an OpenAI-compatible endpoint."""
    from ccsim.contact_center.config import ModelSpecError, parse_model_spec

    if model:
        spec = f"openai:{model}"
    overrides: dict[str, Any] = {"temperature": temperature, "logprobs": logprobs}
    if spec.strip().lower().startswith("openai:"):
        # An endpoint and its key mean nothing to rules, builtin or py: players (eval mixes them).
        # ...nor do endpoint knobs (timeout_s, max_retries, max_tokens).
        overrides.update(base_url=base_url, api_key_env=api_key_env, **endpoint)
    try:
        return parse_model_spec(spec, **overrides)
    except (ModelSpecError, ValueError) as exc:
        fail(str(exc))
