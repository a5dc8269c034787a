"""The routing policy text, shared by the planner prompt and the scenario generator's ground truth."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def routing_policy() -> str:
    """The routing policy as markdown (contact_center/routing_policy.md)."""
    return files("ccsim.contact_center").joinpath("routing_policy.md").read_text(encoding="utf-8")
