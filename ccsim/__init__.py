"""ccsim: a credit-card contact center, simulated, for training and evaluating routing planners with RL.

    import ccsim
    scenarios = ccsim.generate_scenarios(200, seed=7)
    run = ccsim.simulate(scenarios, planner="rules")
    print(run.summary.route_accuracy)

Everything here is loaded on first use, so `import ccsim` (and `ccsim --help`) stays fast and never
imports ART, litellm or Weave. The layers underneath are documented in docs/architecture.md.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

# Settles the offline defaults (no Weave, LangSmith or price-list fetches without a key) before any
# LangChain, ART or Weave import can read the environment.
from ccsim.contact_center import observability as _observability  # noqa: F401

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "generate_scenarios": "ccsim.api.scenario_sets",
    "generate_scenario_file": "ccsim.api.scenario_sets",
    "load_scenarios": "ccsim.api.scenario_sets",
    "save_scenarios": "ccsim.api.scenario_sets",
    "simulate": "ccsim.api.runs",
    "asimulate": "ccsim.api.runs",
    "play_episode": "ccsim.api.runs",
    "aplay_episode": "ccsim.api.runs",
    "Run": "ccsim.api.runs",
    "evaluate": "ccsim.api.evaluation",
    "aevaluate": "ccsim.api.evaluation",
    "Leaderboard": "ccsim.api.evaluation",
    "train_builtin": "ccsim.api.trainers",
    "atrain_builtin": "ccsim.api.trainers",
    "train_art": "ccsim.api.trainers",
    "atrain_art": "ccsim.api.trainers",
    "register_planner": "ccsim.agents.registry",
    "register_customer": "ccsim.agents.registry",
    "register_helper": "ccsim.agents.registry",
    "EpisodeParts": "ccsim.agents.registry",
    "Scenario": "ccsim.contact_center.models",
    "Episode": "ccsim.contact_center.episode",
    "RunSummary": "ccsim.contact_center.summary",
    "ModelSpec": "ccsim.contact_center.config",
    "Route": "ccsim.contact_center.taxonomy",
    "RewardConfig": "ccsim.contact_center.reward",
    "Rubric": "ccsim.contact_center.reward",
    "RewardTerm": "ccsim.contact_center.reward",
    "default_rubric": "ccsim.contact_center.reward",
    "rescore_run": "ccsim.api.rescore",
    "ScenarioFileError": "ccsim.scenarios.io",
    "PreflightError": "ccsim.agents.preflight",
}

__all__ = [
    "Episode",
    "EpisodeParts",
    "Leaderboard",
    "ModelSpec",
    "PreflightError",
    "RewardConfig",
    "RewardTerm",
    "Route",
    "Rubric",
    "Run",
    "RunSummary",
    "Scenario",
    "ScenarioFileError",
    "__version__",
    "aevaluate",
    "aplay_episode",
    "asimulate",
    "atrain_art",
    "atrain_builtin",
    "default_rubric",
    "evaluate",
    "generate_scenario_file",
    "generate_scenarios",
    "load_scenarios",
    "play_episode",
    "register_customer",
    "register_helper",
    "register_planner",
    "rescore_run",
    "save_scenarios",
    "simulate",
    "train_art",
    "train_builtin",
]


def _installed_version() -> str:
    # importlib.metadata scans every installed distribution (0.1 s of start-up CPU), so only on request.
    try:
        return version("ccsim")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value = globals()["__version__"] = _installed_version()
        return value
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ccsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:
    from ccsim.agents.preflight import PreflightError
    from ccsim.agents.registry import EpisodeParts, register_customer, register_helper, register_planner
    from ccsim.api.evaluation import Leaderboard, aevaluate, evaluate
    from ccsim.api.rescore import rescore_run
    from ccsim.api.runs import Run, aplay_episode, asimulate, play_episode, simulate
    from ccsim.api.scenario_sets import generate_scenario_file, generate_scenarios, load_scenarios, save_scenarios
    from ccsim.api.trainers import atrain_art, atrain_builtin, train_art, train_builtin
    from ccsim.contact_center.config import ModelSpec
    from ccsim.contact_center.episode import Episode
    from ccsim.contact_center.models import Scenario
    from ccsim.contact_center.reward import RewardConfig, RewardTerm, Rubric, default_rubric
    from ccsim.contact_center.summary import RunSummary
    from ccsim.contact_center.taxonomy import Route
    from ccsim.scenarios.io import ScenarioFileError
