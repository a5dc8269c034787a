"""Model and endpoint configuration: one spec string or flags name any planner, customer or helper.

Spec strings:
    rules                      the deterministic baseline planner
    scripted                   the deterministic customer or helper simulator
    builtin:PATH               the built-in trainable planner loaded from a checkpoint folder
    openai:MODEL               an OpenAI-compatible endpoint (OPENAI_BASE_URL / OPENAI_API_KEY)
    openai:MODEL@BASE_URL      the same with an explicit base URL (MODEL may itself hold '@', as ART's
                               'name@step' does: only a trailing '@http://...' is read as the URL)
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel, Field

SpecKind = Literal["rules", "scripted", "builtin", "openai"]


class ModelSpecError(ValueError):
    """A spec string that cannot be parsed."""


class ModelSpec(BaseModel):
    """Who plays a role in the episode: a deterministic policy or an OpenAI-compatible model."""

    kind: SpecKind = Field(description="rules, scripted, builtin or openai.")
    model: str | None = Field(default=None, description="Model name for 'openai'.")
    path: str | None = Field(default=None, description="Checkpoint folder for 'builtin'.")
    base_url: str | None = Field(default=None, description="Endpoint base URL; None uses OPENAI_BASE_URL.")
    api_key_env: str = Field(default="OPENAI_API_KEY", description="Environment variable holding the key.")
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature.")
    logprobs: bool = Field(default=False, description="Ask the endpoint for token logprobs (for training).")
    timeout_s: float = Field(default=60.0, gt=0, description="Per-request timeout.")
    max_retries: int = Field(default=3, ge=0, description="Retries with backoff on timeouts, 429 and 5xx.")
    max_tokens: int | None = Field(default=None, description="Completion token cap.")

    @property
    def label(self) -> str:
        """A short, secret-free name for tables and run folders."""
        if self.kind == "openai":
            return f"openai:{self.model}"
        if self.kind == "builtin":
            return f"builtin:{self.path}"
        return self.kind

    def api_key(self) -> str:
        # Local servers (vLLM, ART) accept any key; hosted ones fail with a clear 401 instead.
        return os.environ.get(self.api_key_env) or "not-needed"

    def resolved_base_url(self) -> str | None:
        return self.base_url or os.environ.get("OPENAI_BASE_URL") or None


def parse_model_spec(text: str, **overrides: object) -> ModelSpec:
    """Parse 'rules', 'scripted', 'builtin:PATH', 'openai:MODEL' or 'openai:MODEL@URL'."""
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
        if not sep or not base_url.startswith(("http://", "https://")):
            model, base_url = rest, ""
        if not model:
            raise ModelSpecError(f"spec {text!r}: 'openai:' needs a model name, e.g. openai:gpt-4.1-mini")
        fields.update(kind="openai", model=model, base_url=base_url or None)
    else:
        raise ModelSpecError(
            f"cannot parse spec {text!r}; expected rules, scripted, builtin:PATH, openai:MODEL or openai:MODEL@BASE_URL"
        )
    # A URL written into the spec itself beats a general --base-url default.
    fields.update({k: v for k, v in overrides.items() if v is not None and not (k == "base_url" and fields.get(k))})
    return ModelSpec.model_validate(fields)


class EpisodeConfig(BaseModel):
    """Limits of one episode."""

    max_turns: int = Field(default=8, ge=1, description="Planner turns before the episode fails.")
    timeout_s: float = Field(default=120.0, gt=0, description="Wall-clock limit of one episode.")
