"""The contact center as an RL environment: a step API (`ContactCenterEnv`, async, and its blocking twin)
for any trainer, with adapters for Gymnasium (`ccsim.env.gymnasium_env`), OpenEnv (`ccsim.env.openenv_env`)
and verifiers (`ccsim.env.verifiers_env`, the environment `vf-eval ccsim-contact-center` loads), which load
their optional libraries only when imported. The agent is the planner; the customer, helpers, bank
tools, scoring and reward are the environment. See README "Use it from your RL trainer"."""

from ccsim.env.core import ContactCenterEnv, SyncContactCenterEnv
from ccsim.env.models import Action, FunctionCall, Observation, StepInfo, StepResult, ToolCall
from ccsim.env.sampling import Curriculum, ScenarioSampler

__all__ = [
    "Action",
    "ContactCenterEnv",
    "Curriculum",
    "FunctionCall",
    "Observation",
    "ScenarioSampler",
    "StepInfo",
    "StepResult",
    "SyncContactCenterEnv",
    "ToolCall",
]
