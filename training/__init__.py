"""Episodes to ART trajectories, rewards, and planner training (ART and the built-in policy).

`ccsim.training.rollout(model, scenario) -> art.Trajectory` is ART's rollout function for this
environment; it loads ART on first use, so importing this package stays light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["rollout"]


def __getattr__(name: str) -> Any:
    if name == "rollout":
        from ccsim.training.art_train import rollout

        return rollout
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
