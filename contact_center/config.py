"""Model and endpoint configuration: one spec string or flags name any planner, customer or helper.

Spec strings:
    rules                      the deterministic baseline planner
    scripted                   the deterministic customer or helper simulator
    builtin:PATH               the built-in trainable planner loaded from a checkpoint folder
    openai:MODEL               an OpenAI-compatible endpoint (OPENAI_BASE_URL / OPENAI_API_KEY)
    openai:MODEL@BASE_URL      the same with an explicit base URL (MODEL may itself hold '@', as ART's
                               'name@step' does: only a trailing '@http://...' is read as the URL)
    py:MODULE:FACTORY          a user's own player: FACTORY(spec, ...) builds it (docs/architecture.md)
    KIND or KIND:ARG           any kind registered with ccsim.register_planner / _customer / _helper
"""

from __future__ import annotations

import os
import re

from pydantic import BaseModel, Field, field_validator

# The kinds that ship with ccsim; users register more (agents/registry.py), so a kind is any such name.
BUILTIN_KINDS = ("rules", "scripted", "builtin", "openai", "py")
_KIND_PATTERN = r"^[a-z][a-z0-9_.-]*$"


class ModelSpecError(ValueError):
    """A spec string that cannot be parsed."""


class ModelSpec(BaseModel):
    """Who plays a role in the episode: a deterministic policy or an OpenAI-compatible model."""

    kind: str = Field(
        pattern=_KIND_PATTERN, description="rules, scripted, builtin, openai, py, or a kind a user registered."
    )
    model: str | None = Field(default=None, description="Model name for 'openai'.")
    path: str | None = Field(
        default=None,
        description="The spec's argument: the checkpoint folder for 'builtin', MODULE:FACTORY for 'py', "
        "whatever follows 'KIND:' for a registered kind.",
    )
    base_url: str | None = Field(default=None, description="Endpoint base URL; None uses OPENAI_BASE_URL.")
    api_key_env: str = Field(default="OPENAI_API_KEY", description="Environment variable holding the key.")
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    logprobs: bool = Field(default=False, description="Ask the endpoint for token logprobs (for training).")
    timeout_s: float = Field(default=60.0, gt=0, description="Per-request timeout.")
    max_retries: int = Field(default=3, ge=0, description="Retries with backoff on timeouts, 429 and 5xx.")
    max_tokens: int | None = Field(default=None, ge=1, description="Completion token cap.")

    @field_validator("base_url")
    @classmethod
    def _base_url_has_scheme(cls, value: str | None) -> str | None:
        if value is not None and not _has_scheme(value):
            raise ValueError(f"base URL {value!r} needs a scheme, e.g. http://{value.split('://')[-1]}")
        return value

    @property
    def label(self) -> str:
        """A short, secret-free name for tables and run folders."""
        if self.kind == "openai":
            return f"openai:{self.model}"
        return f"{self.kind}:{self.path}" if self.path else self.kind

    def api_key(self) -> str:
        # Local servers (vLLM, ART) accept any key; hosted ones fail with a clear 401 instead.
        return os.environ.get(self.api_key_env) or "not-needed"

    def resolved_base_url(self) -> str | None:
        return self.base_url or os.environ.get("OPENAI_BASE_URL") or None


def _has_scheme(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def _looks_like_host(text: str) -> bool:
    """'localhost:9', 'example.com/v1', '10.0.0.1:8000': a URL written without its scheme (ART's 'name@30' is
    a model name, not a host)."""
    return bool(re.match(r"^(localhost|[\w-]+(\.[\w-]+)+|\[[0-9a-f:]+\])(:\d+)?(/.*)?$|^[\w.-]+:\d+(/.*)?$", text))


def parse_model_spec(text: str, **overrides: object) -> ModelSpec:
    """Parse 'rules', 'scripted', 'builtin:PATH', 'openai:MODEL', 'openai:MODEL@URL', 'py:MODULE:FACTORY',
    or a registered 'KIND' / 'KIND:ARG' (whether KIND is registered is checked when the player is built)."""
    raw = text.strip()
    kind, _, rest = raw.partition(":")
    kind = kind.lower()
    fields: dict[str, object] = {}
    if kind in ("rules", "scripted") and not rest:
        fields["kind"] = kind
    elif kind == "builtin" and rest:
        fields.update(kind="builtin", path=rest)
    elif kind == "openai" and rest:
        model, sep, base_url = rest.rpartition("@")
        if sep and model and not _has_scheme(base_url) and _looks_like_host(base_url):
            raise ModelSpecError(
                f"spec {text!r}: the base URL {base_url!r} needs a scheme, e.g. openai:{model}@http://{base_url}"
            )
        if not sep or not _has_scheme(base_url):
            model, base_url = rest, ""
        if not model:
            raise ModelSpecError(f"spec {text!r}: 'openai:' needs a model name, e.g. openai:gpt-4.1-mini")
        fields.update(kind="openai", model=model, base_url=base_url or None)
    elif kind == "py":
        module, sep, factory = rest.rpartition(":")
        if not (sep and module and factory):
            raise ModelSpecError(f"spec {text!r}: 'py:' needs MODULE:FACTORY, e.g. py:my_package.planners:build")
        fields.update(kind="py", path=rest)
    elif re.match(_KIND_PATTERN, kind) and kind not in BUILTIN_KINDS:
        fields.update(kind=kind, path=rest or None)
    else:
        raise ModelSpecError(
            f"cannot parse spec {text!r}; expected rules, scripted, builtin:PATH, openai:MODEL, "
            "openai:MODEL@BASE_URL, py:MODULE:FACTORY or a registered KIND[:ARG]"
        )
    # A URL written into the spec itself beats a general --base-url default.
    fields.update({k: v for k, v in overrides.items() if v is not None and not (k == "base_url" and fields.get(k))})
    url = fields.get("base_url")
    if isinstance(url, str) and not _has_scheme(url):
        raise ModelSpecError(f"base URL {url!r} for {text!r} needs a scheme, e.g. http://{url}")
    return ModelSpec.model_validate(fields)


class EpisodeConfig(BaseModel):
    """Limits of one episode."""

    max_turns: int = Field(default=8, ge=1, description="Planner turns before the episode fails.")
    timeout_s: float = Field(default=120.0, gt=0, description="Wall-clock limit of one episode.")
    max_message_chars: int = Field(
        default=8000, ge=1, description="Longest planner message to the customer; a longer one is an invalid action."
    )
