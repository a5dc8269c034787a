"""The reward as a rubric (docs/architecture.md): named, weighted reward functions applied to a finished `Episode`.

    reward = clip(sum(weight * function(episode) for each term), min_reward), rounded to `decimals`
    (an errored episode, status 'error' or no metrics, gets `error_reward` and no function is called)

The runner scores every finished episode with a `Rubric`, so evaluation, simulation and both trainers score an
episode the same way; `default_rubric()` is the shared default, built from the weights in `RewardConfig`. A
rubric reads only the stored `Episode`, so a run can be re-scored without replaying it (`ccsim score`).

A user's reward is anything `as_rubric` reads: a `Rubric`, `RewardConfig` weights, a function `Episode -> float`
(one term named after it), or 'module:function' naming one of those. Kept dependency-free (contact_center only)
because everything imports it.
"""

from __future__ import annotations

import importlib
import inspect
import math
import numbers
import os
import sys
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Annotated, Any, TypeAlias

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    field_serializer,
    field_validator,
    model_validator,
)

from ccsim.contact_center.at_rest import SENSITIVE, altered_turns
from ccsim.contact_center.episode import Episode, EpisodeMetrics

RewardFunction: TypeAlias = Callable[[Episode], float]
"""A reward function: a finished, non-errored episode (its `metrics` set) to a number."""


class RewardSpecError(ValueError):
    """A reward named as 'module:function' that cannot be loaded, or an object that is not a reward."""


class RewardFunctionError(RuntimeError):
    """A reward function raised, or returned something other than a finite number."""


class RewardConfig(BaseModel):
    """Weights of the default reward. The defaults put a correct route far above everything else.

    reward = route_correct
           + human_decision_partial       (only when the route is wrong but the human/no-human call is right)
           + state_correct_bonus          (required side effects hold)
           + handoff_summary_bonus        (a transfer's summary names the facts the department needs)
           - invalid_action_penalty * invalid_actions
           - needless_turn_penalty * max(0, planner_calls - free_turns)
           - premature_route_penalty * max(0, routing_actions - 1)   (the customer came back unresolved)
           - unneeded_question_penalty    (asked although the opening decided the route)
           - turn_limit_penalty           (the episode ran out of turns)
           - sensitive_number_penalty * planner turns that wrote a full card number, SSN or CVV
             (read from the stored turns, not the metrics: 0 for every episode without one, so rewards
             are unchanged there; `episode_reward` below is the metrics-only part)

    An errored episode (status 'error', or no metrics) gets `error_reward` instead. `default_rubric(config)`
    turns these weights into the rubric the runner applies.
    """

    model_config = ConfigDict(extra="forbid")

    route_correct: float = Field(default=1.0, ge=0, description="Reward for ending at the expected destination.")
    human_decision_partial: float = Field(
        default=0.3,
        ge=0,
        description="Partial credit when the destination is wrong but the human/no-human decision is right. "
        "Not given when the episode never routed.",
    )
    state_correct_bonus: float = Field(
        default=0.05, ge=0, description="Bonus when every required side effect holds (e.g. a lost card is locked)."
    )
    handoff_summary_bonus: float = Field(
        default=0.05, ge=0, description="Bonus when a transfer's summary carries the facts the department needs."
    )
    invalid_action_penalty: float = Field(
        default=0.2, ge=0, description="Cost of each malformed or unknown planner action."
    )
    free_turns: int = Field(
        default=1,
        ge=0,
        description="Planner calls that cost nothing: the routing call itself. Every question then costs "
        "needless_turn_penalty, which a question that was needed repays many times over.",
    )
    needless_turn_penalty: float = Field(default=0.1, ge=0, description="Cost of each planner call beyond free_turns.")
    premature_route_penalty: float = Field(
        default=0.5,
        ge=0,
        description="Cost of each routing action before the last one. Without it a delegate to any helper is a "
        "free probe (the customer comes back and the planner routes again) and policies learn to probe first.",
    )
    unneeded_question_penalty: float = Field(
        default=0.0,
        ge=0,
        description="Cost of asking when the scenario says the opening already decided the route. Off by default: "
        "the turn cost usually suffices; it uses a label, so it is a training aid rather than an outcome.",
    )
    turn_limit_penalty: float = Field(default=0.5, ge=0, description="Cost of running out of turns.")
    sensitive_number_penalty: float = Field(
        default=0.5,
        ge=0,
        description="Cost of each planner turn that wrote a full card number, SSN or CVV (masked before storage).",
    )
    error_reward: float = Field(
        default=0.0,
        description="Reward of an errored episode (status 'error' or no metrics), applied by the runner.",
    )
    min_reward: float | None = Field(default=-1.0, description="Lower clip of the reward; None for no clip.")

    def overrides(self) -> dict[str, float | int | None]:
        """The weights that differ from the shared default, e.g. {'unneeded_question_penalty': 0.2}."""
        default = RewardConfig()
        return {name: value for name, value in self if value != getattr(default, name)}


def episode_reward(metrics: EpisodeMetrics, config: RewardConfig) -> float:
    """The default reward from an episode's metrics alone (the reference formula of `default_rubric`).

    `default_rubric(config).score(episode)` gives exactly this value for a non-errored episode; the tests hold
    the two equal.
    """
    reward = 0.0
    if metrics.route_correct:
        reward += config.route_correct
    elif metrics.route is not None and metrics.send_to_human_correct:
        reward += config.human_decision_partial
    if metrics.state_correct:
        reward += config.state_correct_bonus
    if metrics.handoff_summary_ok:
        reward += config.handoff_summary_bonus
    reward -= config.invalid_action_penalty * metrics.invalid_actions
    reward -= config.needless_turn_penalty * max(0, metrics.planner_calls - config.free_turns)
    reward -= config.premature_route_penalty * max(0, metrics.routing_actions - 1)
    if metrics.asked_clarification and not metrics.clarification_needed:
        reward -= config.unneeded_question_penalty
    if metrics.turn_limit_hit:
        reward -= config.turn_limit_penalty
    if config.min_reward is not None:
        reward = max(config.min_reward, reward)
    return round(reward, 6)


# -- the default terms: public, so a user's rubric can reuse them with other weights ---------------------------


def _metrics(episode: Episode) -> EpisodeMetrics:
    if episode.metrics is None:
        raise ValueError("the episode has no metrics (a rubric scores such an episode as an error)")
    return episode.metrics


def route_correct(episode: Episode) -> float:
    """1 when the episode ended at the expected destination."""
    return 1.0 if _metrics(episode).route_correct else 0.0


def right_human_decision(episode: Episode) -> float:
    """1 when the destination is wrong but the episode routed and the human/no-human decision is right."""
    metrics = _metrics(episode)
    return 1.0 if not metrics.route_correct and metrics.route is not None and metrics.send_to_human_correct else 0.0


def state_correct(episode: Episode) -> float:
    """1 when every required side effect holds at the end (e.g. a lost card is locked)."""
    return 1.0 if _metrics(episode).state_correct else 0.0


def handoff_summary_ok(episode: Episode) -> float:
    """1 when a transfer's summary names the facts the department needs (0 when nothing was transferred)."""
    return 1.0 if _metrics(episode).handoff_summary_ok else 0.0


def invalid_actions(episode: Episode) -> float:
    """The number of malformed or unknown planner actions."""
    return float(_metrics(episode).invalid_actions)


def extra_planner_calls(episode: Episode, free_turns: int = 1) -> float:
    """Planner calls beyond the first `free_turns`."""
    return float(max(0, _metrics(episode).planner_calls - free_turns))


def extra_routing_actions(episode: Episode) -> float:
    """Routing actions before the last one: each means the customer came back unresolved."""
    return float(max(0, _metrics(episode).routing_actions - 1))


def unneeded_question(episode: Episode) -> float:
    """1 when the planner asked although the scenario says the opening already decided the route."""
    metrics = _metrics(episode)
    return 1.0 if metrics.asked_clarification and not metrics.clarification_needed else 0.0


def turn_limit_hit(episode: Episode) -> float:
    """1 when the episode ran out of turns."""
    return 1.0 if _metrics(episode).turn_limit_hit else 0.0


def sensitive_numbers(episode: Episode) -> float:
    """Planner turns that wrote a full card number, SSN or CVV (stored masked, marked by contact_center.at_rest)."""
    return float(altered_turns(episode.planner_messages)[SENSITIVE])


# -- importing rewards by name -----------------------------------------------------------------------------


def _import_module(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        cwd = os.getcwd()
        if exc.name != name.partition(".")[0] or cwd in sys.path or "" in sys.path:
            raise
    # The `ccsim` console script, unlike `python -m`, does not put the working directory on sys.path, yet a
    # user's reward module usually sits beside their runs; look there too, and only for this import.
    sys.path.insert(0, cwd)
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(cwd)


def import_object(path: str) -> Any:
    """The object that 'module:attribute' (attribute may be dotted) names; RewardSpecError in one line if none."""
    module_name, sep, attribute = path.partition(":")
    if not sep or not module_name or not attribute:
        raise RewardSpecError(f"reward {path!r}: expected 'module:function', e.g. 'my_rewards:brevity'")
    try:
        module = _import_module(module_name)
    except ModuleNotFoundError as exc:
        parts = module_name.split(".")
        if exc.name in {".".join(parts[: i + 1]) for i in range(len(parts))}:
            raise RewardSpecError(
                f"reward {path!r}: no module named {exc.name!r} (is it on PYTHONPATH or in the working directory?)"
            ) from exc
        raise RewardSpecError(
            f"reward {path!r}: importing module {module_name!r} failed: {type(exc).__name__}: {exc}"
        ) from exc
    except Exception as exc:  # the user's module itself failed to import: say so instead of a traceback
        raise RewardSpecError(
            f"reward {path!r}: importing module {module_name!r} failed: {type(exc).__name__}: {exc}"
        ) from exc
    found: Any = module
    for part in attribute.split("."):
        try:
            found = getattr(found, part)
        except AttributeError:
            raise RewardSpecError(f"reward {path!r}: module {module_name!r} has no attribute {attribute!r}") from None
    return found


def import_path(function: Callable[..., Any]) -> str | None:
    """'module:qualname' that imports back to this very object, or None (lambdas, closures, partials, instances)."""
    module = getattr(function, "__module__", None)
    qualname = getattr(function, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "<" in qualname:
        return None
    path = f"{module}:{qualname}"
    try:
        return path if import_object(path) is function else None
    except RewardSpecError:
        return None


# -- rubric ------------------------------------------------------------------------------------------------


class RewardTerm(BaseModel):
    """One named, weighted reward function. Its contribution is `weight * function(episode, **params)`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, description="The term's name in breakdowns and reports; unique in its rubric.")
    weight: float = Field(default=1.0, description="Multiplies the function's value; penalties weigh negative.")
    function: RewardFunction = Field(
        description="Episode -> number. In JSON its 'module:function' path (None when it has none: such a term "
        "is recorded but cannot be rebuilt from the file)."
    )
    params: dict[str, JsonValue] = Field(
        default_factory=dict, description="Keyword arguments passed to the function after the episode."
    )

    @field_validator("function", mode="before")
    @classmethod
    def _import(cls, value: object) -> object:
        if isinstance(value, str):
            return import_object(value)
        if value is None:
            raise ValueError("this term's function had no import path when it was saved, so it cannot be rebuilt")
        return value

    @field_serializer("function", when_used="json")
    def _path(self, function: RewardFunction) -> str | None:
        return import_path(function)

    def value(self, episode: Episode) -> float:
        """The function's value on the episode (not yet weighted)."""
        try:
            raw = self.function(episode, **self.params)
        except Exception as exc:  # name the term and the episode: a bare traceback from user code says neither
            raise RewardFunctionError(
                f"reward term {self.name!r} failed on episode {episode.episode_id}: {type(exc).__name__}: {exc}"
            ) from exc
        if not isinstance(raw, numbers.Real) or not math.isfinite(raw):
            raise RewardFunctionError(
                f"reward term {self.name!r} returned {raw!r} for episode {episode.episode_id}; expected a finite number"
            )
        return float(raw)


class Rubric(BaseModel):
    """The reward: named, weighted terms summed over a finished episode, then clipped and rounded."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(default="custom", min_length=1, description="Names the reward in reports and folder names.")
    terms: tuple[RewardTerm, ...] = Field(min_length=1, description="Summed in this order.")
    min_reward: float | None = Field(default=None, description="Lower clip of the reward; None for no clip.")
    error_reward: float = Field(
        default=0.0, description="Reward of an errored episode (status 'error' or no metrics); no term is called."
    )
    decimals: int | None = Field(
        default=6, ge=0, description="Rounding of the reward, so stored rewards are stable; None for none."
    )

    @model_validator(mode="after")
    def _unique_names(self) -> Rubric:
        names = [term.name for term in self.terms]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"term names must be unique; repeated: {', '.join(duplicates)}")
        return self

    @staticmethod
    def errored(episode: Episode) -> bool:
        """Scored as an error: the episode raised, or it has no metrics for the terms to read."""
        return episode.status == "error" or episode.metrics is None

    def breakdown(self, episode: Episode) -> dict[str, float]:
        """Each term's weighted contribution, before clipping; empty for an errored episode."""
        if self.errored(episode):
            return {}
        return {term.name: term.weight * term.value(episode) for term in self.terms}

    def score(self, episode: Episode) -> float:
        """The episode's reward."""
        if self.errored(episode):
            return self.error_reward
        reward = 0.0
        # Added one by one in term order, not with sum() (compensated on newer Pythons) or fsum: the default
        # rubric must reproduce the old formula's rounding bit for bit.
        for contribution in self.breakdown(episode).values():
            reward += contribution
        if self.min_reward is not None:
            reward = max(self.min_reward, reward)
        return round(reward, self.decimals) if self.decimals is not None else reward

    def describe(self) -> dict[str, Any]:
        """JSON-able description for config.json: name, terms (name, weight, 'module:function', params), clip."""
        return self.model_dump(mode="json")


def _penalty(weight: float) -> float:
    # A zero penalty stays 0.0 rather than -0.0, which would print oddly in config.json.
    return -weight if weight else 0.0


def default_rubric(config: RewardConfig | None = None) -> Rubric:
    """Today's reward as a rubric: the terms of `RewardConfig`'s formula, in its order, with its weights."""
    config = config or RewardConfig()
    terms = (
        RewardTerm(name="route_correct", weight=config.route_correct, function=route_correct),
        RewardTerm(name="human_decision_partial", weight=config.human_decision_partial, function=right_human_decision),
        RewardTerm(name="state_correct", weight=config.state_correct_bonus, function=state_correct),
        RewardTerm(name="handoff_summary", weight=config.handoff_summary_bonus, function=handoff_summary_ok),
        RewardTerm(name="invalid_actions", weight=_penalty(config.invalid_action_penalty), function=invalid_actions),
        RewardTerm(
            name="needless_turns",
            weight=_penalty(config.needless_turn_penalty),
            function=extra_planner_calls,
            params={"free_turns": config.free_turns},
        ),
        RewardTerm(
            name="premature_routes", weight=_penalty(config.premature_route_penalty), function=extra_routing_actions
        ),
        RewardTerm(
            name="unneeded_question", weight=_penalty(config.unneeded_question_penalty), function=unneeded_question
        ),
        RewardTerm(name="turn_limit", weight=_penalty(config.turn_limit_penalty), function=turn_limit_hit),
        RewardTerm(
            name="sensitive_numbers", weight=_penalty(config.sensitive_number_penalty), function=sensitive_numbers
        ),
    )
    return Rubric(
        name="default" if not config.overrides() else "default-reweighted",
        terms=terms,
        min_reward=config.min_reward,
        error_reward=config.error_reward,
    )


def rubric_from_function(function: RewardFunction, name: str | None = None) -> Rubric:
    """A one-term rubric (weight 1, no clip, error_reward 0) around a plain reward function."""
    label = name or getattr(function, "__name__", None) or type(function).__name__
    return Rubric(name=label, terms=(RewardTerm(name=label, function=function),))


def _callable_without_arguments(candidate: Callable[..., Any]) -> bool:
    try:
        inspect.signature(candidate).bind()
    except TypeError:
        return False
    except ValueError:  # no signature (some builtins): treat it as a reward function
        return False
    return True


def _callable_with_one_argument(candidate: Callable[..., Any]) -> bool:
    try:
        inspect.signature(candidate).bind(None)
    except TypeError:
        return False
    except ValueError:
        return True
    return True


def load_reward(path: str) -> Rubric:
    """The rubric 'module:attribute' names.

    The attribute may be a `Rubric`, `RewardConfig` weights, a reward function of one argument (the episode),
    or a callable that takes no arguments and returns a `Rubric` or a `RewardConfig` (a factory, for rubrics
    built in code). Anything else is a RewardSpecError saying which module, which attribute and what was expected.
    """
    found = import_object(path)
    attribute = path.partition(":")[2]
    expected = (
        "expected a reward function (episode -> float), a Rubric, a RewardConfig, "
        "or a no-argument function returning a Rubric or RewardConfig"
    )
    if isinstance(found, Rubric):
        return found
    if isinstance(found, RewardConfig):
        return default_rubric(found).model_copy(update={"name": attribute})
    if not callable(found):
        raise RewardSpecError(f"reward {path!r}: {attribute!r} is a {type(found).__name__}; {expected}")
    if _callable_without_arguments(found):
        try:
            made = found()
        except Exception as exc:
            message = f"reward {path!r}: calling {attribute}() failed: {type(exc).__name__}: {exc}"
            raise RewardSpecError(message) from exc
        if isinstance(made, Rubric):
            return made
        if isinstance(made, RewardConfig):
            return default_rubric(made).model_copy(update={"name": attribute})
        raise RewardSpecError(
            f"reward {path!r}: {attribute}() takes no arguments, so it is read as a factory, but it returned a "
            f"{type(made).__name__}, not a Rubric or RewardConfig"
        )
    if not _callable_with_one_argument(found):
        raise RewardSpecError(f"reward {path!r}: {attribute!r} does not take exactly one argument; {expected}")
    return rubric_from_function(found, name=attribute)


RewardSpec: TypeAlias = "Rubric | RewardConfig | RewardFunction | str | Mapping[str, Any] | None"
"""What `as_rubric` reads; `reward=` arguments and `--reward` take any of these."""


def as_rubric(reward: RewardSpec = None) -> Rubric:
    """The rubric for any way of naming a reward.

    None: the shared default. A `RewardConfig`: the default terms with those weights. A `Rubric`: itself. A
    function `Episode -> float`: one term named after it. A string 'module:function': see `load_reward`. A mapping:
    a rubric's JSON description (it has 'terms', as config.json stores it) or `RewardConfig` weights.
    """
    if reward is None:
        return default_rubric()
    if isinstance(reward, Rubric):
        return reward
    if isinstance(reward, RewardConfig):
        return default_rubric(reward)
    if isinstance(reward, str):
        return load_reward(reward)
    if isinstance(reward, Mapping):
        if "terms" in reward:
            return Rubric.model_validate(reward)
        return default_rubric(RewardConfig.model_validate(reward))
    if callable(reward):
        if not _callable_with_one_argument(reward):
            raise RewardSpecError(f"reward {reward!r}: a reward function takes exactly one argument, the episode")
        return rubric_from_function(reward)
    raise RewardSpecError(
        f"reward: expected a Rubric, RewardConfig, function or 'module:function'; got a {type(reward).__name__}"
    )


def _config_or_rubric(value: object) -> object:
    # Weights stay weights (compact and familiar in saved configs); every other way of naming a reward becomes
    # a rubric. Mappings are left to pydantic's union, which tells weights from a rubric by its 'terms'.
    if value is None or isinstance(value, str) or (callable(value) and not isinstance(value, BaseModel)):
        return as_rubric(value)
    return value


RubricField = Annotated[Rubric, BeforeValidator(as_rubric)]
"""A pydantic field type that takes any `RewardSpec` and holds the rubric."""

RewardField = Annotated[RewardConfig | Rubric, BeforeValidator(_config_or_rubric)]
"""A pydantic field type for trainer configs: weights, or a user's rubric (any `RewardSpec`)."""


def reward_overrides(reward: RewardConfig | Rubric) -> dict[str, float | int | None] | None:
    """Weights that differ from the shared default; None for a user's rubric, which replaces the default."""
    return reward.overrides() if isinstance(reward, RewardConfig) else None
