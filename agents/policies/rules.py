"""The deterministic `rules` planner: the lexicon's evidence applied under the routing policy.

`decide` is a pure function of the conversation so far: it reads the customer's turns for evidence
(agents.lexicon), asks one of the fixed clarifying questions when the policy's ambiguities are open, and
otherwise routes to the most urgent issue (contact_center.taxonomy.PRIORITY) with a handoff summary.
`RulesPlanner` wraps it as a LangChain chat model, so the graph runs it exactly like an LLM planner.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, ClassVar, Literal

from langchain_core.globals import get_llm_cache
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import ensure_config
from langchain_core.utils.utils import LC_ID_PREFIX
from pydantic import BaseModel, ConfigDict, Field

from ccsim.agents.lexicon.answers import read_answer
from ccsim.agents.lexicon.evidence import (
    ISSUE_THRESHOLD,
    MAKE_PAYMENT,
    PENDING,
    Evidence,
    gather_evidence,
    pick_route,
)
from ccsim.agents.lexicon.facts import extract_facts, redact_card_numbers
from ccsim.agents.lexicon.ignored_text import mentions_someone_else, strip_ignored_text
from ccsim.agents.lexicon.normalise import normalise
from ccsim.agents.planner_actions import DELEGATE, PlannerDecision
from ccsim.agents.planner_view import SYSTEM_NOTE_KEY
from ccsim.agents.policies.decision_messages import DecisionPlanner
from ccsim.agents.questions import ClarifyingQuestion, classify_question
from ccsim.agents.quiet_runs import nothing_listens
from ccsim.contact_center.taxonomy import PRIORITY, ROUTES, Route, RouteKind

R = Route

# An answer to a clarifying question outweighs any keyword in the opening.
ANSWER_VOTE = 6.0
MAX_QUESTIONS = 2
# Customer turns before the latest count for less; turns before a helper answered count for much less.
EARLIER_TURN_WEIGHT = 0.8
BEFORE_HELPER_WEIGHT = 0.25
FALLBACK_ROUTE = Route.ACCOUNT_SERVICES
# The most of one message the rules read (issue 11): a 10 MB message must not hold the event loop for minutes.
MAX_READ_CHARS = 4000


class Turn(BaseModel):
    """One message of the conversation, as the planner sees it."""

    model_config = ConfigDict(frozen=True)

    role: Literal["customer", "planner", "helper"] = Field(description="Who wrote the message.")
    text: str = Field(description="The message text.")


def decide(turns: Sequence[Turn]) -> PlannerDecision:
    """The rules planner's next move for the conversation so far."""
    last_helper = max((i for i, t in enumerate(turns) if t.role == "helper"), default=-1)
    customer_idx = [i for i, t in enumerate(turns) if t.role == "customer"]
    current = [i for i in customer_idx if i > last_helper] or customer_idx
    if not current:
        return PlannerDecision.ask(ClarifyingQuestion.DETAILS)

    weighted: list[tuple[str, float]] = [
        (turns[i].text, BEFORE_HELPER_WEIGHT if i not in current else 1.0 if i == current[-1] else EARLIER_TURN_WEIGHT)
        for i in customer_idx
    ]
    evidence = gather_evidence(weighted)
    scores = dict(evidence.scores)

    asked: list[ClarifyingQuestion] = []
    answered: dict[ClarifyingQuestion, Route | None] = {}
    for i, turn in enumerate(turns):
        if turn.role != "planner":
            continue
        question = classify_question(turn.text)
        if question is None:
            continue
        asked.append(question)
        answer = next((t for t in turns[i + 1 :] if t.role == "customer"), None)
        if answer is not None:
            answered[question] = read_answer(question, normalise(answer.text), scores)
    for route in answered.values():
        if route is not None:
            scores[route] += ANSWER_VOTE

    choice = pick_route(scores)
    can_ask = len(asked) < MAX_QUESTIONS
    question = _open_question(choice, evidence, asked, answered) if can_ask else None
    if question is not None:
        return PlannerDecision.ask(question)
    if choice is None:
        if can_ask and ClarifyingQuestion.DETAILS not in asked:
            return PlannerDecision.ask(ClarifyingQuestion.DETAILS)
        # Asking again would not help (a customer who answers "tell me more" by repeating themselves will do it
        # again), so route on whatever evidence there is, however weak, and only default with none at all.
        choice = _weak_pick(scores)
    # The summary carries everything the customer said (opening and answers), not only the latest turns: a
    # department needs the merchant and amount from the opening even after a helper was tried first.
    customer_text = " ".join(strip_ignored_text(turns[i].text) for i in customer_idx)
    return _route_decision(choice, evidence, customer_text)


def _weak_pick(scores: dict[Route, float]) -> Route:
    """The best-scoring route below the evidence floor: a helper, since weak evidence never justifies a human."""
    helpers = {r: s for r, s in scores.items() if ROUTES[r].kind is RouteKind.HELPER and s > 0}
    if not helpers:
        return FALLBACK_ROUTE
    return max(helpers, key=lambda r: (helpers[r], -PRIORITY.index(r)))


def _open_question(
    choice: Route | None,
    evidence: Evidence,
    asked: Sequence[ClarifyingQuestion],
    answered: dict[ClarifyingQuestion, Route | None],
) -> ClarifyingQuestion | None:
    """The clarifying question the policy requires before routing, if one is open and not yet asked."""
    s = evidence.scores
    resolved = {q for q, r in answered.items() if r is not None}
    fraud_stated = s[R.FRAUD] >= 3
    if (
        evidence.lost_card
        and not fraud_stated
        and not evidence.no_unknown_charges
        and not evidence.card_action
        and choice in (R.CARD_SERVICES, R.TRANSACTIONS, R.ACCOUNT_SERVICES, R.KNOWLEDGE_BASE, None)
        and ClarifyingQuestion.LOST_OR_UNKNOWN_CHARGES not in asked
        and not resolved
    ):
        return ClarifyingQuestion.LOST_OR_UNKNOWN_CHARGES
    charge_settled = (
        fraud_stated or s[R.DISPUTES] >= ISSUE_THRESHOLD or evidence.descriptor_named or PENDING in evidence.issues
    )
    if (
        evidence.ambiguous_charge
        and not charge_settled
        and choice is not R.FRAUD
        and ClarifyingQuestion.RECOGNIZE_MERCHANT not in asked
        and not resolved
    ):
        return ClarifyingQuestion.RECOGNIZE_MERCHANT
    if (
        evidence.ambiguous_close
        and choice in (R.ACCOUNT_CLOSURE, R.CARD_SERVICES, None)
        and ClarifyingQuestion.CLOSE_ACCOUNT not in asked
        and not resolved
    ):
        return ClarifyingQuestion.CLOSE_ACCOUNT
    make_payment = evidence.issues.get(MAKE_PAYMENT, 0.0)
    if (
        evidence.payment_question
        and s[R.HARDSHIP] < ISSUE_THRESHOLD
        # "A question about paying my card" scores as making a payment; that is the very ambiguity to ask about.
        and (
            max(s[r] - (make_payment if r is R.ACCOUNT_SERVICES else 0.0) for r in s) < 3
            # "About my payment due Friday" scores the due date and the balance, yet says nothing of the trouble.
            or (evidence.vague_payment and max(v for r, v in s.items() if r is not R.ACCOUNT_SERVICES) < 3)
        )
        and ClarifyingQuestion.PAYMENT_TROUBLE not in asked
        and not resolved
    ):
        return ClarifyingQuestion.PAYMENT_TROUBLE
    if choice is None and not resolved and ClarifyingQuestion.DETAILS not in asked:
        return ClarifyingQuestion.DETAILS
    return None


def _describe(route: Route, evidence: Evidence) -> str:
    """The issue in a few words: the route's strongest matched issue, or what the route covers."""
    matched = [(w, issue) for (r, issue), w in evidence.issues.items() if r is route and w >= 1.0]
    return max(matched)[1] if matched else ROUTES[route].covers.split(",")[0]


def _handoff_text(route: Route, evidence: Evidence, customer_text: str) -> str:
    """The issue, the facts a department needs, and the customer's words with card numbers redacted."""
    return f"Issue: {_describe(route, evidence)}. {_handoff_details(customer_text)}"


@lru_cache(maxsize=4096)
def _handoff_details(customer_text: str) -> str:
    # Pure in the text; the same conversation is summarised again when its first route does not settle it.
    facts = extract_facts(customer_text)
    quote = redact_card_numbers(customer_text)
    if len(quote) > 800:
        quote = quote[:797].rstrip() + "..."
    parts: list[str] = []
    if facts.merchants:
        parts.append(f"Merchant: {', '.join(facts.merchants)}.")
    if facts.amounts:
        parts.append(f"Amount: {', '.join(facts.amounts)}.")
    if facts.dates:
        parts.append(f"Date: {', '.join(facts.dates)}.")
    if facts.last_four:
        parts.append(f"Card ending: {', '.join(facts.last_four)}.")
    if mentions_someone_else(normalise(customer_text)):
        parts.append("The caller mentions someone else's account: share no details of it.")
    parts.append(f'Customer said: "{quote}"')
    return " ".join(parts)


def _route_decision(route: Route, evidence: Evidence, customer_text: str) -> PlannerDecision:
    body = _handoff_text(route, evidence, customer_text)
    if ROUTES[route].kind is RouteKind.HUMAN:
        return PlannerDecision.transfer(route, f"Transfer to {ROUTES[route].title}. {body}")
    return PlannerDecision.delegate(route, f"Help the customer. {body}")


def messages_to_turns(messages: Sequence[BaseMessage]) -> list[Turn]:
    """The conversation as turns: customer texts, planner questions, helper answers."""
    tool_names: dict[str, str] = {}
    turns: list[Turn] = []
    for message in messages:
        if isinstance(message, HumanMessage):
            if not message.additional_kwargs.get(SYSTEM_NOTE_KEY):
                turns.append(Turn(role="customer", text=message.text[:MAX_READ_CHARS]))
        elif isinstance(message, AIMessage):
            tool_names.update({call_id: call["name"] for call in message.tool_calls if (call_id := call.get("id"))})
            if message.text.strip():
                turns.append(Turn(role="planner", text=message.text))
        elif (
            isinstance(message, ToolMessage)
            and message.status != "error"
            and tool_names.get(message.tool_call_id) == DELEGATE
        ):
            # Only a helper's answer is conversation; error reports and transfer receipts are not.
            turns.append(Turn(role="helper", text=message.text[:MAX_READ_CHARS]))
    return turns


class RulesPlanner(DecisionPlanner):
    """Deterministic planner: `decide` over the conversation, answered as an AIMessage."""

    planner_name: ClassVar[str] = "rules"

    def decide_turn(self, messages: list[BaseMessage]) -> PlannerDecision:
        return decide(messages_to_turns(messages))

    async def ainvoke(
        self,
        input: LanguageModelInput,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> AIMessage:
        """LangChain's `ainvoke`, without its run bookkeeping when nothing would see it.

        A rules decision costs about as much as LangChain's callback and cache plumbing around it. When no
        callback handler or tracer is configured, no LLM cache, rate limiter or output conversion applies,
        that plumbing returns this very message: it is built here directly. Otherwise the full path runs."""
        config = ensure_config(config)
        if stop is not None or kwargs or not self._plain_call(config):
            return await super().ainvoke(input, config, stop=stop, **kwargs)
        messages = self._convert_input(input).to_messages()
        message = self._generate(messages).generations[0].message
        assert isinstance(message, AIMessage)
        run_id = config.get("run_id") or uuid.uuid4()
        message.id = f"{LC_ID_PREFIX}-{run_id}-0"  # the id LangChain gives a generation of its run
        return message

    def _plain_call(self, config: RunnableConfig) -> bool:
        if self.cache is not None and self.cache is not False:
            return False
        if (self.cache is None and get_llm_cache() is not None) or self.rate_limiter is not None:
            return False
        if getattr(self, "output_version", None) not in (None, "v0"):
            return False
        return nothing_listens(config, self)
