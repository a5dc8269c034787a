"""Build the planner model for a ModelSpec: every policy is a LangChain chat model bound to the planner tools."""

from __future__ import annotations

import importlib

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import BaseMessage
from langchain_core.runnables import Runnable

from ccsim.contact_center.config import ModelSpec

PlannerModel = Runnable[LanguageModelInput, BaseMessage]


class PlannerUnavailableError(RuntimeError):
    """A planner spec whose implementation is not installed or cannot be loaded."""


def build_planner(spec: ModelSpec) -> PlannerModel:
    """'rules' -> RulesPlanner; 'openai' -> ChatOpenAI bound to PLANNER_TOOLS; 'builtin' -> the trained policy."""
    if spec.kind == "rules":
        from ccsim.agents.policies.rules import RulesPlanner

        return RulesPlanner()
    if spec.kind == "openai":
        from ccsim.agents.policies.openai_chat import openai_planner

        return openai_planner(spec)
    if spec.kind == "builtin":
        if not spec.path:
            raise PlannerUnavailableError("a builtin planner needs a checkpoint path: builtin:PATH")
        try:
            module = importlib.import_module("ccsim.agents.policies.builtin")
        except ModuleNotFoundError as error:
            raise PlannerUnavailableError(
                "the built-in planner (agents.policies.builtin) is not available in this installation"
            ) from error
        loader = getattr(module, "load_builtin_planner", None)
        if loader is None:
            raise PlannerUnavailableError("ccsim.agents.policies.builtin has no load_builtin_planner(path)")
        return loader(spec.path)
    raise PlannerUnavailableError(f"{spec.label!r} is not a planner; use rules, openai:MODEL or builtin:PATH")
