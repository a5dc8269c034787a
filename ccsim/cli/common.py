"""Pieces every command shares: readable errors, parsing of mixes and specs, loading scenarios."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from ccsim.contact_center.config import ModelSpec, ModelSpecError, parse_model_spec
from ccsim.contact_center.models import Scenario, Split

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {escape(message)}")
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


def parse_mix(text: str | None, enum: type[Any], option: str) -> dict[Any, float] | None:
    """'fraud=2,disputes=1' -> {Route.FRAUD: 2.0, Route.DISPUTES: 1.0}."""
    if not text:
        return None
    mix: dict[Any, float] = {}
    for part in text.split(","):
        name, sep, weight = part.partition("=")
        try:
            key = enum(name.strip().lower())
            mix[key] = float(weight) if sep else 1.0
        except ValueError:
            known = ", ".join(m.value for m in enum)
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
    timeout_s: float | None = None,
    max_retries: int | None = None,
) -> ModelSpec:
    """A spec string, where --*-model / --*-base-url turn any spec into an OpenAI-compatible endpoint."""
    if model:
        spec = f"openai:{model}"
    try:
        return parse_model_spec(
            spec,
            base_url=base_url,
            temperature=temperature,
            logprobs=logprobs,
            api_key_env=api_key_env,
            timeout_s=timeout_s,
            max_retries=max_retries,
        )
    except (ModelSpecError, ValueError) as exc:
        fail(str(exc))


def load_or_generate(
    path: Path | None, *, generate: int, seed: int, split: Split | None, limit: int | None
) -> tuple[list[Scenario], dict[str, Any]]:
    """Scenarios from a file (JSONL/CSV, full or minimal records) or generated on the fly."""
    from ccsim.scenarios.generator import GenerationConfig, generate_scenarios
    from ccsim.scenarios.importer import import_scenarios

    if path is not None:
        result = import_scenarios(path)
        scenarios = list(result.scenarios)
        source: dict[str, Any] = {"scenarios_file": str(path)}
    else:
        scenarios = generate_scenarios(GenerationConfig(count=generate, seed=seed))
        source = {"generated": generate, "seed": seed}
    if split is not None:
        scenarios = [s for s in scenarios if s.split == split]
        source["split"] = split.value
    if limit is not None:
        scenarios = scenarios[:limit]
        source["limit"] = limit
    if not scenarios:
        fail("no scenarios to run (check --scenarios, --split and --limit)")
    return scenarios, source
