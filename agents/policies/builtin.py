"""The built-in trainable planner as a LangChain chat model: featurize the conversation, pick one action with
the linear softmax policy, and answer with the same text or tool call an LLM planner would send.

Sampling and training see the conversation the same way: the planner converts its LangChain messages with
`agents.planner_view.to_openai_messages`, the function that also writes `Episode.planner_messages`, and the
trainer replays those recorded messages through `replay_planner_turns`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from langchain_core.messages import BaseMessage
from pydantic import ConfigDict, Field, PrivateAttr

from ccsim.agents.planner_actions import DELEGATE, TRANSFER_TO_HUMAN, PlannerDecision
from ccsim.agents.planner_view import to_openai_messages
from ccsim.agents.policies.builtin_policy import (
    LinearSoftmaxPolicy,
    action_question,
    action_route,
    load_checkpoint,
)
from ccsim.agents.policies.decision_messages import DecisionPlanner
from ccsim.agents.policies.featurizer import (
    ChatMessage,
    ConversationState,
    FeatureVector,
    Featurizer,
    build_featurizer,
    conversation_state,
)
from ccsim.agents.questions import classify_question
from ccsim.contact_center.taxonomy import ROUTES, UnknownRouteError, parse_route

DEFAULT_MAX_QUESTIONS = 2
MODEL_NAME = "builtin"


def allowed_actions(actions: Sequence[str], state: ConversationState, max_questions: int) -> np.ndarray:
    """Every route is allowed; a question only if not asked before and fewer than `max_questions` were asked."""
    asked = set(state.questions_asked)
    may_ask = len(state.questions_asked) < max_questions
    return np.array(
        [(q := action_question(a)) is None or (may_ask and q not in asked) for a in actions],
        dtype=bool,
    )


def handoff_summary(state: ConversationState) -> str:
    """What the customer said, in their words: the merchant, amount and date they mentioned travel with it."""
    said = " / ".join(t.strip() for t in state.customer_turns if t.strip())
    return f"Customer reports: {said}" if said else "Customer did not describe the issue."


def delegate_task(state: ConversationState) -> str:
    latest = state.latest_customer_turn.strip()
    return f"Help the customer with: {latest}" if latest else "Help the customer with their request."


def action_decision(action: str, state: ConversationState) -> PlannerDecision:
    """The decision an action name stands for: a question, or the route with what the customer said."""
    question = action_question(action)
    if question is not None:
        return PlannerDecision.ask(question)
    route = action_route(action)
    assert route is not None
    if ROUTES[route].needs_human:
        return PlannerDecision.transfer(route, handoff_summary(state))
    return PlannerDecision.delegate(route, delegate_task(state))


def recorded_action(message: ChatMessage) -> str | None:
    """The action an assistant message took (a route name or 'ask:<question>'), or None if it is not one."""
    calls = message.get("tool_calls") or []
    if calls:
        function = calls[0].get("function") or {}
        if function.get("name") not in (DELEGATE, TRANSFER_TO_HUMAN):
            return None
        try:
            args = json.loads(function.get("arguments") or "{}")
            target = args.get("agent") or args.get("department")
            return parse_route(target).value if isinstance(target, str) else None
        except (json.JSONDecodeError, AttributeError, UnknownRouteError):
            return None
    content = message.get("content")
    question = classify_question(content) if isinstance(content, str) else None
    return f"ask:{question.value}" if question is not None else None


@dataclass(frozen=True)
class PlannerStep:
    """One recorded planner decision, re-featurized: what the policy saw, what it could do, what it did."""

    features: FeatureVector
    allowed: np.ndarray
    action: int


def replay_planner_turns(
    policy: LinearSoftmaxPolicy,
    featurizer: Featurizer,
    planner_messages: Sequence[ChatMessage],
    max_questions: int = DEFAULT_MAX_QUESTIONS,
) -> list[PlannerStep]:
    """Each assistant turn of a recorded planner view with the features of the conversation before it."""
    steps: list[PlannerStep] = []
    for position, message in enumerate(planner_messages):
        if message.get("role") != "assistant":
            continue
        action = recorded_action(message)
        if action is None or action not in policy.actions:
            continue
        context = planner_messages[:position]
        state = conversation_state(context)
        allowed = allowed_actions(policy.actions, state, max_questions)
        index = policy.action_index(action)
        if allowed[index]:
            steps.append(PlannerStep(featurizer.featurize(context), allowed, index))
    return steps


class BuiltinPlanner(DecisionPlanner):
    """Chooses with a LinearSoftmaxPolicy: greedy for evaluation, sampled (seeded per episode) for training."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    policy: LinearSoftmaxPolicy = Field(description="The trained policy.")
    sample: bool = Field(default=False, description="Sample from the softmax instead of taking the argmax.")
    seed: int = Field(default=0, description="Seed of this episode's sampling.")
    max_questions: int = Field(default=DEFAULT_MAX_QUESTIONS, ge=0, description="Clarifying questions per episode.")
    _featurizer: Featurizer = PrivateAttr()

    planner_name: ClassVar[str] = MODEL_NAME

    def model_post_init(self, context: Any) -> None:
        self._featurizer = build_featurizer(self.policy.featurizer)

    def choose(self, view: Sequence[ChatMessage]) -> str:
        """The action for the conversation so far (OpenAI-format planner view)."""
        state = conversation_state(view)
        allowed = allowed_actions(self.policy.actions, state, self.max_questions)
        features = self._featurizer.featurize(view)
        if self.sample:
            # Derived from (seed, planner turn), not drawn from a shared generator: an episode's draws do not
            # depend on how many episodes run concurrently.
            call_index = sum(m.get("role") == "assistant" for m in view)
            index = self.policy.sample(features, allowed, np.random.default_rng([self.seed, call_index]))
        else:
            index = self.policy.greedy(features, allowed)
        return self.policy.actions[index]

    def decide_turn(self, messages: list[BaseMessage]) -> PlannerDecision:
        view = to_openai_messages(messages)
        return action_decision(self.choose(view), conversation_state(view))


def load_builtin_planner(path: str | Path) -> BuiltinPlanner:
    """The greedy planner of a checkpoint folder (policy.json + policy.npz); CheckpointError if it is not one."""
    folder = Path(path).resolve()
    stamp = tuple((f.stat().st_mtime_ns, f.stat().st_size) for f in sorted(folder.glob("policy.*")))
    return BuiltinPlanner(policy=_load_policy(str(folder), stamp))


@functools.lru_cache(maxsize=8)
def _load_policy(folder: str, stamp: tuple[tuple[int, int], ...]) -> LinearSoftmaxPolicy:
    # Loading decompresses the arrays and verifies their checksum: once per checkpoint version (the stamp
    # changes when the files do), not once per episode. Inference only reads the policy.
    policy, _ = load_checkpoint(folder)
    return policy
