"""Checks before the first episode: a run that cannot work fails in seconds with one clear line.

`preflight` looks at every player of a run once: a `builtin:PATH` checkpoint must exist and load, an
`openai:` endpoint must have a base URL with a scheme, answer one cheap request (GET /models, or a
1-token completion where /models is missing) and accept the key. Errors name the URL, and a 401/403
names the environment variable to set. Without it, an unreachable endpoint costs one timeout per
episode, retries included, and ends as a run of errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import httpx

from ccsim.contact_center.config import ModelSpec

DEFAULT_OPENAI_URL = "https://api.openai.com/v1"
PREFLIGHT_TIMEOUT_S = 10.0


class PreflightError(ValueError):
    """A player that cannot work: the run would fail at every episode."""


def _check_builtin(spec: ModelSpec, role: str) -> None:
    from ccsim.agents.policies.builtin import load_builtin_planner
    from ccsim.agents.policies.builtin_policy import CheckpointError

    if not spec.path:
        raise PreflightError(f"{role} {spec.label}: a builtin planner needs a checkpoint path: builtin:PATH")
    try:
        load_builtin_planner(spec.path)
    except (CheckpointError, OSError) as exc:
        raise PreflightError(f"{role} {spec.label}: not a usable checkpoint folder: {exc}") from exc


def _key_message(spec: ModelSpec, url: str, status: int) -> str:
    import os

    if os.environ.get(spec.api_key_env):
        return (
            f"{url} refused the key in {spec.api_key_env} (HTTP {status}); check its value, or name another "
            "variable with --planner-api-key-env"
        )
    return f"{url} wants an API key (HTTP {status}): set {spec.api_key_env}"


async def _check_endpoint(spec: ModelSpec, role: str, timeout_s: float) -> None:
    url = (spec.resolved_base_url() or DEFAULT_OPENAI_URL).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise PreflightError(f"{role} {spec.label}: base URL {url!r} needs a scheme, e.g. http://{url}")
    headers = {"Authorization": f"Bearer {spec.api_key()}"}
    timeout = min(timeout_s, spec.timeout_s)
    try:
        async with httpx.AsyncClient(timeout=timeout, headers=headers) as client:
            response = await client.get(f"{url}/models")
            if response.status_code in (404, 405) or response.status_code >= 500:
                # Not every OpenAI-compatible server lists models; one 1-token completion is the fallback.
                body = {"model": spec.model, "messages": [{"role": "user", "content": "ping"}], "max_tokens": 1}
                response = await client.post(f"{url}/chat/completions", json=body)
    except httpx.TimeoutException as exc:
        raise PreflightError(f"{role} {spec.label}: {url} did not answer within {timeout:g}s") from exc
    except httpx.HTTPError as exc:
        raise PreflightError(f"{role} {spec.label}: cannot reach {url}: {type(exc).__name__}: {exc}") from exc
    status = response.status_code
    if status in (401, 403):
        raise PreflightError(f"{role} {spec.label}: {_key_message(spec, url, status)}")
    if status >= 400:
        raise PreflightError(f"{role} {spec.label}: {url} answered HTTP {status}: {response.text[:200]}")


async def apreflight(players: Iterable[tuple[str, ModelSpec]], *, timeout_s: float = PREFLIGHT_TIMEOUT_S) -> None:
    """Check each (role, spec) once; raise PreflightError with one line for the first that cannot work.

    Each endpoint is asked once, however many roles use it. Kinds other than builtin and openai (rules,
    scripted, py:, registered ones) have nothing to check here.
    """
    endpoints: dict[tuple[str | None, str | None, str], tuple[str, ModelSpec]] = {}
    for role, spec in players:
        if spec.kind == "builtin":
            _check_builtin(spec, role)
        elif spec.kind == "openai":
            endpoints.setdefault((spec.resolved_base_url(), spec.model, spec.api_key_env), (role, spec))
    await asyncio.gather(*(_check_endpoint(spec, role, timeout_s) for role, spec in endpoints.values()))
