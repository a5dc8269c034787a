"""Pydantic domain models: the bank's customer record and the scenario contract (docs/architecture.md).

Card numbers are stored as the last four digits only and SSNs as the last four only: a full number
never enters the system, so no tool, log or export can leak one.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ccsim.contact_center.taxonomy import ROUTES, Route

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"
    ADVERSARIAL = "adversarial"


class Split(StrEnum):
    TRAIN = "train"
    VAL = "val"
    TEST = "test"


class Persona(_Model):
    """How the customer talks and how long they put up with the call."""

    tone: Literal["calm", "polite", "anxious", "frustrated", "angry", "confused"] = Field(
        description="The customer's emotional tone."
    )
    verbosity: Literal["terse", "normal", "chatty"] = Field(description="How much the customer writes.")
    patience: int = Field(ge=1, le=10, description="Turns the customer tolerates before giving up.")
    typing: Literal["clean", "casual", "sloppy"] = Field(
        description="Typing habits: clean prose, casual lowercase, or sloppy with typos and run-ons."
    )


class CustomerProfile(_Model):
    """Who the customer is (synthetic, made with faker, but treated as real PII)."""

    customer_id: str = Field(description="The bank's customer identifier.")
    first_name: str = Field(description="Given name.")
    last_name: str = Field(description="Family name.")
    email: str = Field(description="Contact e-mail address.")
    phone: str = Field(description="Contact phone number.")
    address: str = Field(description="Postal address on file, one line.")
    date_of_birth: dt.date = Field(description="Date of birth.")
    ssn_last4: str = Field(pattern=r"^\d{4}$", description="Last four digits of the SSN; never the full SSN.")
    persona: Persona = Field(description="How this customer talks.")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Verification(_Model):
    """Whether the caller has been identified as the account holder."""

    verified: bool = Field(description="True when the caller passed identity verification.")
    method: Literal["none", "otp", "security_questions", "app_login"] = Field(
        default="none", description="How the caller was verified."
    )


class AccountStatus(StrEnum):
    OPEN = "open"
    PAST_DUE = "past_due"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class Account(_Model):
    """The credit-card account."""

    account_id: str = Field(description="The account identifier.")
    credit_limit: float = Field(gt=0, description="Credit limit in USD.")
    current_balance: float = Field(description="Current balance in USD, including pending transactions.")
    statement_balance: float = Field(description="Balance on the last statement in USD.")
    apr: float = Field(ge=0, le=60, description="Purchase APR in percent.")
    payment_due_date: dt.date = Field(description="Due date of the current statement's payment.")
    minimum_payment: float = Field(ge=0, description="Minimum payment due in USD.")
    last_payment_date: dt.date | None = Field(default=None, description="When the last payment posted.")
    last_payment_amount: float | None = Field(default=None, description="Amount of the last payment in USD.")
    status: AccountStatus = Field(description="Account standing.")
    days_past_due: int = Field(ge=0, default=0, description="Days the minimum payment is overdue.")
    rewards_points: int = Field(ge=0, description="Rewards points balance.")
    autopay: Literal["off", "minimum", "statement", "full"] = Field(description="Autopay setting.")
    opened_on: dt.date = Field(description="When the account was opened.")

    @property
    def available_credit(self) -> float:
        return round(max(0.0, self.credit_limit - self.current_balance), 2)


class CardStatus(StrEnum):
    ACTIVE = "active"
    NOT_ACTIVATED = "not_activated"
    LOCKED = "locked"
    LOST = "lost"
    STOLEN = "stolen"
    DAMAGED = "damaged"
    CLOSED = "closed"


class Card(_Model):
    """A plastic or virtual card on the account, known only by its last four digits."""

    card_id: str = Field(description="The card identifier.")
    last_four: str = Field(pattern=r"^\d{4}$", description="Last four digits of the card number.")
    network: Literal["visa", "mastercard", "amex", "discover"] = Field(description="Card network.")
    holder_name: str = Field(description="Name embossed on the card.")
    role: Literal["primary", "authorized_user"] = Field(description="Whose card this is on the account.")
    status: CardStatus = Field(description="Current card status.")
    expiry: str = Field(pattern=r"^(0[1-9]|1[0-2])/\d{2}$", description="Expiry as MM/YY.")
    delivery: Literal["delivered", "in_transit", "processing", "returned"] = Field(
        default="delivered", description="Delivery status of the plastic."
    )

    @property
    def masked_number(self) -> str:
        return f"**** **** **** {self.last_four}"


class Transaction(_Model):
    """One line on the account: a purchase, payment, refund, fee or interest charge."""

    transaction_id: str = Field(description="The transaction identifier.")
    date: dt.date = Field(description="Transaction date.")
    merchant: str = Field(description="The merchant's everyday name, as a customer knows it.")
    descriptor: str = Field(description="The raw statement descriptor as printed on the statement.")
    category: str = Field(description="Merchant category, e.g. groceries, travel, subscriptions.")
    amount: float = Field(description="Amount in USD; purchases and fees positive, payments and refunds negative.")
    status: Literal["posted", "pending"] = Field(description="Whether the transaction has posted.")
    kind: Literal["purchase", "payment", "refund", "fee", "interest"] = Field(description="Transaction kind.")
    card_id: str | None = Field(default=None, description="The card used; None for payments and fees.")
    channel: Literal["in_store", "online", "recurring", "atm", "bank"] = Field(
        default="in_store", description="How the transaction was made."
    )


class CustomerRecord(_Model):
    """Everything the bank holds about one customer."""

    profile: CustomerProfile = Field(description="Identity, contact details and persona.")
    verification: Verification = Field(description="Identity verification state of this call.")
    account: Account = Field(description="The credit-card account.")
    cards: list[Card] = Field(min_length=1, description="Cards on the account.")
    transactions: list[Transaction] = Field(description="Transactions, oldest first.")

    def card(self, card_id: str) -> Card | None:
        return next((c for c in self.cards if c.card_id == card_id), None)

    def transaction(self, transaction_id: str) -> Transaction | None:
        return next((t for t in self.transactions if t.transaction_id == transaction_id), None)


class CustomerFacts(_Model):
    """What the customer knows and reveals only when asked. Unknown facts stay None."""

    issue_summary: str = Field(description="The issue in the customer's own words, one sentence.")
    transaction_ids: list[str] = Field(
        default_factory=list, description="Transactions the issue is about (a duplicate lists both)."
    )
    recognizes_merchant: bool | None = Field(
        default=None, description="Whether the customer recognises the merchant of the charge in question."
    )
    made_the_charge: bool | None = Field(
        default=None, description="Whether the customer (or someone they authorised) made the charge."
    )
    card_id: str | None = Field(default=None, description="The card the issue is about.")
    card_situation: Literal["lost", "stolen", "damaged", "not_received", "expiring"] | None = Field(
        default=None, description="What happened to the card, if the issue is about a card."
    )
    unknown_charges: bool | None = Field(
        default=None, description="Whether there are charges on the account the customer did not make."
    )
    wants_to_close: bool | None = Field(default=None, description="Whether the customer wants the account closed.")
    close_reason: str | None = Field(default=None, description="Why the customer wants to close, if they say.")
    can_pay: bool | None = Field(default=None, description="Whether the customer can make this month's payment.")
    hardship_reason: str | None = Field(default=None, description="What caused the financial difficulty.")
    amount: float | None = Field(default=None, description="An amount the customer mentions, in USD.")
    other_issues: list[str] = Field(
        default_factory=list, description="Intents of further issues the customer raises in the same call."
    )
    extra: dict[str, str] = Field(default_factory=dict, description="Further intent-specific facts.")


class StateRequirement(_Model):
    """A side effect the episode must leave on the bank state (e.g. a lost card must end locked)."""

    target: Literal["card_status", "autopay", "payment_scheduled", "travel_notice", "pin_reset", "replacement"] = Field(
        description="What kind of state is checked."
    )
    card_id: str | None = Field(default=None, description="The card concerned, for card checks.")
    value: str = Field(description="The required value, e.g. 'locked' for card_status.")


class Scenario(_Model):
    """One replayable, gradable contact-center episode (one JSON object per line)."""

    schema_version: int = Field(default=SCHEMA_VERSION, description="Scenario schema version.")
    id: str = Field(min_length=1, description="Unique scenario identifier.")
    seed: int = Field(description="Seed that reproduces this scenario and its episode.")
    split: Split = Field(default=Split.TEST, description="Dataset split.")
    source: str = Field(description="Generator version or imported file that produced it.")
    tags: list[str] = Field(default_factory=list, description="Free-form tags, e.g. 'multi_issue', 'injection'.")
    difficulty: Difficulty = Field(description="Difficulty tier.")
    customer: CustomerRecord = Field(description="The customer's record at the bank.")
    intent: str = Field(description="Intent name from the catalog.")
    opening_message: str = Field(min_length=1, description="The customer's first message.")
    template_id: str | None = Field(
        default=None,
        description="Which catalog phrasing produced the opening (None when imported or rewritten).",
    )
    facts: CustomerFacts = Field(description="Hidden facts the customer reveals only when asked.")
    bank_notes: list[str] = Field(
        default_factory=list,
        description="Planner-facing knowledge the bank holds (e.g. 'account 12 days past due').",
    )
    expected_route: Route = Field(description="Ground truth: where the episode must end.")
    needs_human: bool = Field(description="Ground truth: whether a human department must take the call.")
    clarification_needed: bool = Field(
        default=False, description="True when the opening cannot decide the route without asking."
    )
    required_state: list[StateRequirement] = Field(
        default_factory=list, description="Side effects the episode must leave on the bank state."
    )
    handoff_facts: list[str] = Field(
        default_factory=list,
        description="Facts (short strings, e.g. a merchant name or amount) a human handoff summary must carry.",
    )

    @field_validator("expected_route", mode="before")
    @classmethod
    def _lenient_route(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _ground_truth_consistent(self) -> Scenario:
        if self.needs_human != ROUTES[self.expected_route].needs_human:
            raise ValueError(f"needs_human={self.needs_human} contradicts expected_route={self.expected_route.value}")
        return self
