"""One registry per role (planner, customer, helper): a spec's kind names the builder that makes the player.

The kinds that ship with ccsim are registered here; a user adds theirs with `ccsim.register_planner(kind,
builder)` (and `register_customer`, `register_helper`), or names a factory directly in a spec,
`py:package.module:factory`, with nothing to register. The registries are the one piece of process-wide
mutable state in ccsim, by design: a plug-in registered once is seen by every run, as in Gymnasium's
`register`. Builders import their implementation lazily, so a registry costs nothing until it builds.

Builder signatures (see docs/architecture.md, "Add a planner"):
    planner:  builder(spec) -> a LangChain chat model (Runnable) that answers the planner's messages
              with an AIMessage: text to ask the customer, or a delegate / transfer_to_human tool call
    customer: builder(spec, parts) -> a CustomerSimulator (async reply(planner_text, helper_answer=...))
    helper:   builder(spec, route, parts) -> a Helper (async run(task, conversation) -> str)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import BaseMessage
from langchain_core.runnables import Runnable

from ccsim.agents.usage import UsageTally
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.episode import EventLog
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.taxonomy import Route
from ccsim.tools.bank_state import BankState

if TYPE_CHECKING:
    from ccsim.agents.customer import CustomerSimulator
    from ccsim.agents.helpers import Helper

PlannerModel = Runnable[LanguageModelInput, BaseMessage]


@dataclass(frozen=True)
class EpisodeParts:
    """What a customer or helper builder may use: this episode's scenario, seed, bank, log and token tally."""

    scenario: Scenario
    seed: int
    bank: BankState
    log: EventLog
    usage: UsageTally


PlannerBuilder = Callable[[ModelSpec], PlannerModel]
CustomerBuilder = Callable[[ModelSpec, EpisodeParts], "CustomerSimulator"]
HelperBuilder = Callable[[ModelSpec, Route, EpisodeParts], "Helper"]
BuilderT = TypeVar("BuilderT", bound=Callable[..., Any])


class PlayerUnavailableError(ValueError):
    """A spec whose kind no builder is registered for, or whose `py:` factory cannot be imported."""


def load_factory(path: str) -> Callable[..., Any]:
    """'package.module:factory' -> the callable, with one clear line when it is not there."""
    module_name, sep, attribute = path.rpartition(":")
    if not sep or not module_name or not attribute:
        raise PlayerUnavailableError(f"py:{path}: expected py:MODULE:FACTORY, e.g. py:my_package.planners:build")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise PlayerUnavailableError(f"py:{path}: cannot import module {module_name!r} ({exc})") from exc
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise PlayerUnavailableError(f"py:{path}: module {module_name!r} has no callable {attribute!r}")
    return factory


class Registry(Generic[BuilderT]):
    """Spec kind -> builder, for one role."""

    def __init__(self, role: str) -> None:
        self.role = role
        self._builders: dict[str, BuilderT] = {}

    def register(self, kind: str, builder: BuilderT, *, replace: bool = False) -> None:
        """Make `kind` (as in '--planner KIND' or 'KIND:ARG') build players with `builder`."""
        kind = kind.lower()
        ModelSpec(kind=kind)  # the same name rule as parsed specs, so a registered kind is always usable
        if kind == "py":
            raise ValueError("'py' is reserved for py:MODULE:FACTORY specs")
        if kind in self._builders and not replace:
            raise ValueError(f"a {self.role} kind {kind!r} is already registered; pass replace=True to override")
        self._builders[kind] = builder

    def kinds(self) -> list[str]:
        return sorted(self._builders)

    def builder(self, spec: ModelSpec) -> BuilderT:
        """The builder for `spec`: a registered kind, or the factory a `py:` spec names."""
        if spec.kind == "py":
            factory: BuilderT = load_factory(spec.path or "")  # type: ignore[assignment]
            return factory
        try:
            return self._builders[spec.kind]
        except KeyError:
            known = ", ".join([*self.kinds(), "py:MODULE:FACTORY"])
            raise PlayerUnavailableError(f"{spec.label!r} cannot play the {self.role}; known: {known}") from None


# ---- the kinds that ship with ccsim -------------------------------------------------------------------


def _rules_planner(spec: ModelSpec) -> PlannerModel:
    from ccsim.agents.policies.rules import RulesPlanner

    return RulesPlanner()


def _openai_planner(spec: ModelSpec) -> PlannerModel:
    from ccsim.agents.policies.openai_chat import openai_planner

    return openai_planner(spec)


def _builtin_planner(spec: ModelSpec) -> PlannerModel:
    from ccsim.agents.policies.builtin import load_builtin_planner

    if not spec.path:
        raise PlayerUnavailableError("a builtin planner needs a checkpoint path: builtin:PATH")
    return load_builtin_planner(spec.path)


def _scripted_customer(spec: ModelSpec, parts: EpisodeParts) -> CustomerSimulator:
    from ccsim.agents.customer import ScriptedCustomer

    return ScriptedCustomer(parts.scenario, parts.seed)


def _llm_customer(spec: ModelSpec, parts: EpisodeParts) -> CustomerSimulator:
    from ccsim.agents.customer import LLMCustomer

    return LLMCustomer(parts.scenario, spec, parts.seed, usage=parts.usage)


def _scripted_helper(spec: ModelSpec, route: Route, parts: EpisodeParts) -> Helper:
    from ccsim.agents.helpers import ScriptedHelper

    return ScriptedHelper(route, parts.bank, parts.log, parts.scenario)


def _llm_helper(spec: ModelSpec, route: Route, parts: EpisodeParts) -> Helper:
    from ccsim.agents.helpers import LLMHelper

    return LLMHelper(route, parts.bank, parts.log, spec, usage=parts.usage)


PLANNERS: Registry[PlannerBuilder] = Registry("planner")
CUSTOMERS: Registry[CustomerBuilder] = Registry("customer")
HELPERS: Registry[HelperBuilder] = Registry("helper")

PLANNERS.register("rules", _rules_planner)
PLANNERS.register("openai", _openai_planner)
PLANNERS.register("builtin", _builtin_planner)
CUSTOMERS.register("scripted", _scripted_customer)
CUSTOMERS.register("openai", _llm_customer)
HELPERS.register("scripted", _scripted_helper)
HELPERS.register("openai", _llm_helper)


def register_planner(kind: str, builder: PlannerBuilder, *, replace: bool = False) -> None:
    """Add a planner kind: `builder(spec)` returns a chat model whose replies are the planner's turns."""
    PLANNERS.register(kind, builder, replace=replace)


def register_customer(kind: str, builder: CustomerBuilder, *, replace: bool = False) -> None:
    """Add a customer kind: `builder(spec, parts)` returns an object with `async reply(...)`."""
    CUSTOMERS.register(kind, builder, replace=replace)


def register_helper(kind: str, builder: HelperBuilder, *, replace: bool = False) -> None:
    """Add a helper kind: `builder(spec, route, parts)` returns an object with `async run(task, conversation)`."""
    HELPERS.register(kind, builder, replace=replace)


def build_planner(spec: ModelSpec) -> PlannerModel:
    return PLANNERS.builder(spec)(spec)


def build_customer(spec: ModelSpec, parts: EpisodeParts) -> CustomerSimulator:
    return CUSTOMERS.builder(spec)(spec, parts)


def build_helpers(spec: ModelSpec, parts: EpisodeParts) -> dict[Route, Helper]:
    """One helper per helper route, all of the spec's kind."""
    from ccsim.contact_center.taxonomy import HELPER_ROUTES

    build = HELPERS.builder(spec)
    return {route: build(spec, route, parts) for route in HELPER_ROUTES}
