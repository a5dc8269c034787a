"""Customer simulators: a scripted one that answers from the scenario's hidden facts, and an LLM one.

Both speak through `await customer.reply(planner_text, helper_answer=...)`: the first call (both None)
returns the opening message; later calls answer the planner's question or react to a helper's answer.
"""

from __future__ import annotations

import random
import re
from typing import Protocol

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable
from pydantic import BaseModel, Field

from ccsim.agents.prompts import STOP_TOKEN, customer_system_prompt
from ccsim.agents.questions import ClarifyingQuestion, classify_question
from ccsim.agents.usage import UsageTally
from ccsim.contact_center.config import ModelSpec
from ccsim.contact_center.models import Persona, Scenario
from ccsim.contact_center.taxonomy import ROUTES, Route
from ccsim.scenarios.catalog import load_catalog, template_slots


class CustomerReply(BaseModel):
    text: str = Field(description="What the customer says (empty only when they hang up without a word).")
    ended: bool = Field(default=False, description="The customer ended the call.")


class CustomerSimulator(Protocol):
    async def reply(self, planner_text: str | None, *, helper_answer: str | None = None) -> CustomerReply: ...


# ---- persona styling ------------------------------------------------------------------------------------

_TONE_OPENERS: dict[str, tuple[str, ...]] = {
    "calm": ("", "Okay. "),
    "polite": ("Sure. ", "Of course. ", "Thanks for asking. "),
    "anxious": ("I'm really worried about this. ", "Please help me with this. "),
    "frustrated": ("Honestly, ", "Ugh. "),
    "angry": ("Look, ", "Seriously? "),
    "confused": ("Um, ", "Hmm, let me think. "),
}
_CHATTY_ASIDES = (
    " I've had this card for years and never had a problem like this.",
    " Sorry, it's been a long week.",
    " My partner told me to call you about it.",
)


def style(text: str, persona: Persona, rng: random.Random) -> str:
    """Say `text` the way this customer would: tone, verbosity and typing habits."""
    out = text
    if persona.verbosity != "terse":
        out = rng.choice(_TONE_OPENERS[persona.tone]) + out
    if persona.verbosity == "chatty":
        out += rng.choice(_CHATTY_ASIDES)
    if persona.typing == "casual":
        out = out.lower()
    elif persona.typing == "sloppy":
        out = re.sub(r"[.,!](?=\s|$)", "", out.lower()).replace("'", "").replace(" you ", " u ")
    return out


# ---- answers from the hidden facts --------------------------------------------------------------------

_DONT_KNOW = ("I'm not sure, sorry.", "I don't know.", "No idea, to be honest.")
_THANKS = ("Great, that's all I needed. Thanks!", "Perfect, that sorts it out. Bye.", "Okay, thank you, that helps.")
_RESTATE = ("Like I said, {opening}", "As I said: {opening}", "Um, it's what I wrote. {opening}", "{opening}")
_GIVE_UP = ("This is taking too long. I'll call back later.", "Forget it, I'll try again another time.")
_UNRESOLVED: dict[Route, str] = {
    Route.FRAUD: "That doesn't help. I still don't recognise that charge, and I didn't make it.",
    Route.DISPUTES: "I know the merchant, but the charge is still wrong and I want it fixed.",
    Route.HARDSHIP: "That doesn't really help. I can't afford my payment right now.",
    Route.ACCOUNT_CLOSURE: "Thanks, but I still want to close my account.",
}


class ScriptedCustomer:
    """Deterministic given the seed; answers only from the scenario's facts, in persona."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.persona = scenario.customer.profile.persona
        self._rng = random.Random(seed)
        self._opened = False
        self._answers = 0
        self._helped = False

    def _say(self, text: str, *, ended: bool = False) -> CustomerReply:
        return CustomerReply(text=style(text, self.persona, self._rng), ended=ended)

    async def reply(self, planner_text: str | None, *, helper_answer: str | None = None) -> CustomerReply:
        if not self._opened:
            self._opened = True
            # The opening is the scenario's own text: styling it would change what the planner is graded on.
            return CustomerReply(text=self.scenario.opening_message)
        if helper_answer is not None:
            self._helped = True
            if not ROUTES[self.scenario.expected_route].needs_human:
                return self._say(self._rng.choice(_THANKS), ended=True)
            if self._answers >= self.persona.patience:
                return self._say(self._rng.choice(_GIVE_UP), ended=True)
            self._answers += 1
            return self._say(_UNRESOLVED[self.scenario.expected_route])
        if self._answers >= self.persona.patience:
            return self._say(self._rng.choice(_GIVE_UP), ended=True)
        self._answers += 1
        question = classify_question(planner_text or "")
        answer = self.answer(question) if question is not None else None
        return self._say(answer or self._rng.choice(_DONT_KNOW))

    # One method per clarifying question; None means the facts do not cover it.
    def answer(self, question: ClarifyingQuestion) -> str | None:
        handlers = {
            ClarifyingQuestion.RECOGNIZE_MERCHANT: self._recognize_merchant,
            ClarifyingQuestion.LOST_OR_UNKNOWN_CHARGES: self._lost_or_unknown,
            ClarifyingQuestion.PAYMENT_TROUBLE: self._payment_trouble,
            ClarifyingQuestion.CLOSE_ACCOUNT: self._close_account,
            ClarifyingQuestion.WHICH_ISSUE: self._which_issue,
            ClarifyingQuestion.DETAILS: self._details,
        }
        return handlers[question]()

    def _charge_names(self) -> tuple[str, str]:
        """(merchant, descriptor) of the charge in question, or generic words when none is on record."""
        record = self.scenario.customer
        for transaction_id in self.scenario.facts.transaction_ids:
            transaction = record.transaction(transaction_id)
            if transaction is not None:
                return transaction.merchant, transaction.descriptor
        return "the merchant", "that charge"

    def _recognize_merchant(self) -> str | None:
        facts = self.scenario.facts
        merchant, descriptor = self._charge_names()
        if facts.extra.get("recognizes_after_explanation") == "true" and not self._helped:
            # Until someone explains the statement name, the customer cannot tell whose charge it is.
            return (
                f"Maybe, I'm not sure. The name {descriptor} on my statement does not ring a bell, "
                "I can't tell which shop it is."
            )
        if facts.recognizes_merchant is True:
            made = "" if facts.made_the_charge is not False else " But I didn't make this particular charge."
            return f"Yes, I recognise {merchant}, I've bought from them.{made}"
        if facts.recognizes_merchant is False:
            return f"No, I don't recognise {descriptor} at all. I didn't make that charge."
        if facts.made_the_charge is True:
            return "Yes, I made that purchase myself."
        if facts.made_the_charge is False:
            return "No, I didn't make that charge."
        source = facts.extra.get("charge_source")
        if source:
            # A bank fee has no merchant to recognise: the customer says where the charge comes from instead, and
            # what the statement calls it (a fact of the record), never issue_summary, which would name the label.
            kind = facts.extra.get("fee_kind")
            named = f" It says {kind} fee on the statement." if kind else ""
            return f"It's not from a shop, it's {source}.{named}"
        return None

    def _lost_or_unknown(self) -> str | None:
        facts = self.scenario.facts
        charges = {
            True: "there are charges on it I didn't make",
            False: "I don't see any charges I didn't make",
            None: "I haven't checked for other charges",
        }[facts.unknown_charges]
        if facts.card_situation in ("lost", "stolen"):
            joiner = "and" if facts.unknown_charges else "but"
            return f"The card was {facts.card_situation}, {joiner} {charges}."
        if facts.card_situation is not None:
            situation = facts.card_situation.replace("_", " ")
            return f"It's not lost or stolen, it's {situation}. And {charges}."
        if facts.unknown_charges is not None:
            return f"I still have my card. But {charges}."
        return None

    def _payment_trouble(self) -> str | None:
        facts = self.scenario.facts
        if facts.can_pay is False:
            reason = f" {facts.hardship_reason}." if facts.hardship_reason else ""
            return f"Yes, I can't afford this month's payment.{reason}".replace("..", ".")
        if facts.can_pay is True:
            # Only what the customer already said: issue_summary is the generator's clean sentence for the intent.
            return f"No, I can pay, that's not a problem. I just have a question about my bill. {self._opening()}"
        return None

    def _close_account(self) -> str | None:
        facts = self.scenario.facts
        if facts.wants_to_close:
            reason = f" {facts.close_reason}." if facts.close_reason else ""
            return f"Yes, I want to close the account altogether.{reason}".replace("..", ".")
        # Someone who has not said they want to leave does not want to close the account.
        return "No, I don't want to close the account."

    def _which_issue(self) -> str:
        if not self.scenario.facts.other_issues:
            # One issue: there is nothing to choose between, and naming it in clean words would leak the label.
            return f"It's just the one thing: {self._opening()}"
        return f"The most important thing for me: {self._primary_issue_words()}"

    def _primary_issue_words(self) -> str:
        """The primary issue in a customer's words: a slot-free plain phrasing of the intent, or the summary.

        The summary is acceptable here: the customer raised several issues and is choosing among them.
        """
        catalog = load_catalog()
        if catalog.has(self.scenario.intent):
            plain = [t for t in catalog.get(self.scenario.intent).easy if not template_slots(t)]
            if plain:
                return self._rng.choice(plain)
        return self.scenario.facts.issue_summary

    def _opening(self) -> str:
        return self.scenario.opening_message

    def _details(self) -> str:
        # Only what the customer already said. Hidden facts come out through the specific questions, so a generic
        # "tell me more" cannot stand in for asking the right one, nor leak the label an imported record was
        # completed from (its issue_summary is the generator's clean sentence for some intent of that route).
        return self._rng.choice(_RESTATE).format(opening=self.scenario.opening_message)


# ---- the LLM customer ---------------------------------------------------------------------------------

_DO_NOT_END_NOTE = (
    "(Note from the simulator: the agent has not done anything for you yet. Answer the agent's last message as "
    f"the customer and do not write {STOP_TOKEN}.)"
)
_EMPTY_NOTE = "(Note from the simulator: your last reply was empty. Answer the agent as the customer.)"


class LLMCustomer:
    """A customer played by a chat model (tau-bench's user-simulator pattern, with its failure modes guarded).

    The model sees the agent's messages as user turns and writes its own as assistant turns; it ends the
    call with STOP_TOKEN. An empty reply, or one that ends the call before any helper answered, is retried
    once with a note; if it happens again the customer ends the call.
    """

    def __init__(
        self,
        scenario: Scenario,
        spec: ModelSpec,
        seed: int,
        *,
        usage: UsageTally | None = None,
        model: Runnable[LanguageModelInput, BaseMessage] | None = None,
    ) -> None:
        self.scenario = scenario
        self.label = spec.model or spec.label
        self.usage = usage if usage is not None else UsageTally()
        if model is None:
            from ccsim.agents.policies.openai_chat import chat_model  # langchain-openai only for LLM customers

            model = chat_model(spec).bind(seed=seed)
        self._model = model
        self._history: list[BaseMessage] = [SystemMessage(customer_system_prompt(scenario))]
        self._opened = False
        self._helped = False

    async def reply(self, planner_text: str | None, *, helper_answer: str | None = None) -> CustomerReply:
        if not self._opened:
            self._opened = True
            self._history.append(AIMessage(self.scenario.opening_message))
            return CustomerReply(text=self.scenario.opening_message)
        if helper_answer is not None:
            self._helped = True
        self._history.append(HumanMessage(helper_answer if helper_answer is not None else (planner_text or "")))
        note: str | None = None
        for _attempt in range(2):
            prompt = self._history if note is None else [*self._history, HumanMessage(note)]
            response = await self._model.ainvoke(prompt)
            self.usage.record(response, self.label)
            raw = response.text.strip()
            ended = STOP_TOKEN in raw
            text = raw.replace(STOP_TOKEN, "").strip()
            if not text and not ended:
                note = _EMPTY_NOTE
            elif ended and not self._helped:
                note = _DO_NOT_END_NOTE
            else:
                self._history.append(AIMessage(raw))
                return CustomerReply(text=text, ended=ended)
        # The same failure twice: the simulated customer leaves rather than derail the episode.
        self._history.append(AIMessage(raw))
        return CustomerReply(text=text, ended=True)
