"""The per-episode bank state: one customer's record plus everything an episode did to it.

Scripted helpers and the LangChain tools both call these methods, so there is one implementation of each
banking operation. Every operation acts only for the episode's own customer: an id that is not on the
caller's record is refused with the same message whether or not it exists elsewhere.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ccsim.contact_center.models import (
    AccountStatus,
    Card,
    CardStatus,
    CustomerRecord,
    Scenario,
    StateRequirement,
    Transaction,
)
from ccsim.contact_center.taxonomy import ROUTES, RouteKind, UnknownRouteError, parse_route
from ccsim.tools.masking import mask_card_number, redact

AutopayMode = Literal["off", "minimum", "statement", "full"]
TransactionStatusFilter = Literal["posted", "pending", "all"]
ReplacementReason = Literal["lost", "stolen", "damaged", "expiring", "not_received"]

MAX_SCHEDULE_AHEAD_DAYS = 60
MAX_TRAVEL_AHEAD_DAYS = 365
MAX_TRAVEL_LENGTH_DAYS = 180
REPLACEMENT_DELIVERY_DAYS = 7
# Statuses in which a card can no longer be used for purchases; 'locked' requirements accept all of them
# because a replacement closes the old card, which is at least as safe as a lock.
_BLOCKED_STATUSES = frozenset({CardStatus.LOCKED, CardStatus.CLOSED})
# A replacement for these reasons closes the old card at once; otherwise it stays usable until the new one
# is activated.
_COMPROMISED_REASONS = frozenset({"lost", "stolen", "not_received"})
_TRUTHY = frozenset({"", "true", "yes", "any", "requested", "done", "1"})


class BankToolError(Exception):
    """A banking operation that cannot be done; the message is safe to show the model and the customer."""


class NotOnRecordError(BankToolError):
    """An account, card or transaction id that is not on the verified caller's record."""

    def __init__(self, kind: Literal["account", "card", "transaction"]) -> None:
        super().__init__(f"That {kind} is not on the verified caller's record; I can't share it.")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AccountSummary(_Frozen):
    as_of: dt.date = Field(description="Today's date in the episode.")
    account_id: str
    holder: str
    status: AccountStatus
    credit_limit: float
    current_balance: float
    available_credit: float
    statement_balance: float
    minimum_payment: float
    payment_due_date: dt.date
    days_past_due: int
    apr_percent: float
    rewards_points: int
    autopay: AutopayMode
    scheduled_payments: int


class Statement(_Frozen):
    account_id: str
    statement_balance: float
    minimum_payment: float
    payment_due_date: dt.date
    last_payment_date: dt.date | None
    last_payment_amount: float | None
    apr_percent: float
    interest_charged: float = Field(description="Interest lines among the posted transactions.")
    fees_charged: float = Field(description="Fee lines among the posted transactions.")
    posted_transactions: int


class CardView(_Frozen):
    """A card as tools show it: never more than the last four digits."""

    card_id: str
    card_number: str
    network: str
    holder_name: str
    role: str
    status: CardStatus
    expiry: str
    delivery: str

    @classmethod
    def of(cls, card: Card) -> CardView:
        return cls(
            card_id=card.card_id,
            card_number=mask_card_number(card.last_four),
            network=card.network,
            holder_name=card.holder_name,
            role=card.role,
            status=card.status,
            expiry=card.expiry,
            delivery=card.delivery,
        )


class ScheduledPayment(_Frozen):
    payment_id: str
    amount: float
    date: dt.date


class TravelNotice(_Frozen):
    notice_id: str
    destination: str
    start: dt.date
    end: dt.date


class PinReset(_Frozen):
    card_id: str
    requested_on: dt.date
    how: str = "A PIN reset link was sent to the customer's app; the PIN is never shared in the conversation."


class CardReplacement(_Frozen):
    old_card_id: str
    new_card_id: str
    new_last_four: str
    reason: ReplacementReason
    requested_on: dt.date
    expected_delivery: dt.date
    old_card_status: CardStatus = Field(description="The old card's status right after the replacement.")


class Transfer(_Frozen):
    department: str
    summary: str


class DeliveryStatus(_Frozen):
    card_id: str
    card_number: str
    delivery: str
    expected_delivery: dt.date | None


def reference_date(record: CustomerRecord) -> dt.date:
    """'Today' for an episode, read from the record so replays are deterministic: the latest activity."""
    dates = [t.date for t in record.transactions]
    if record.account.last_payment_date is not None:
        dates.append(record.account.last_payment_date)
    # Without activity, statements close about three weeks before the due date.
    return max(dates) if dates else record.account.payment_due_date - dt.timedelta(days=21)


class BankState:
    """One episode's isolated bank: mutating it never touches the scenario or another episode."""

    def __init__(self, record: CustomerRecord, *, today: dt.date, seed: int = 0, copy: bool = False) -> None:
        """A bank over `record`, which it changes; with `copy`, over its own copy of it, made on first use."""
        self._given = record
        self._record: CustomerRecord | None = None if copy else record
        self.today = today
        self.scheduled_payments: list[ScheduledPayment] = []
        self.travel_notices: list[TravelNotice] = []
        self.pin_resets: list[PinReset] = []
        self.card_replacements: list[CardReplacement] = []
        self.transfers: list[Transfer] = []
        self.changes: list[dict[str, Any]] = []
        self._rng = random.Random(seed)
        self._status_before_lock: dict[str, CardStatus] = {}

    @classmethod
    def from_scenario(cls, scenario: Scenario, *, today: dt.date | None = None) -> BankState:
        return cls(scenario.customer, today=today or reference_date(scenario.customer), seed=scenario.seed, copy=True)

    @property
    def record(self) -> CustomerRecord:
        """The customer's record as this bank has it: its own copy, made the first time it is needed (an
        episode that never calls a bank tool never pays for the copy, a third of a millisecond)."""
        if self._record is None:
            # A JSON round trip through pydantic-core is several times faster than copy.deepcopy of the models.
            self._record = CustomerRecord.model_validate_json(self._given.model_dump_json())
        return self._record

    def _read_only_record(self) -> CustomerRecord:
        # For checks that only read: the record as given is the same as an untouched copy.
        return self._record if self._record is not None else self._given

    # ---- bookkeeping -------------------------------------------------------------------------------

    def _log(self, what: str, card_id: str | None, old: Any, new: Any) -> None:
        self.changes.append({"what": what, "card_id": card_id, "old": old, "new": new})

    def _check_account(self, account_id: str | None) -> None:
        if account_id is not None and account_id.strip() != self.record.account.account_id:
            raise NotOnRecordError("account")

    def _card(self, card_id: str) -> Card:
        card = self.record.card(card_id.strip())
        if card is None:
            raise NotOnRecordError("card")
        return card

    def _set_card_status(self, card: Card, status: CardStatus) -> None:
        old = card.status
        card.status = status
        self._log("card_status", card.card_id, old.value, status.value)

    # ---- account services --------------------------------------------------------------------------

    def account_summary(self, account_id: str | None = None) -> AccountSummary:
        self._check_account(account_id)
        account = self.record.account
        return AccountSummary(
            as_of=self.today,
            account_id=account.account_id,
            holder=self.record.profile.full_name,
            status=account.status,
            credit_limit=account.credit_limit,
            current_balance=account.current_balance,
            available_credit=account.available_credit,
            statement_balance=account.statement_balance,
            minimum_payment=account.minimum_payment,
            payment_due_date=account.payment_due_date,
            days_past_due=account.days_past_due,
            apr_percent=account.apr,
            rewards_points=account.rewards_points,
            autopay=account.autopay,
            scheduled_payments=len(self.scheduled_payments),
        )

    def statement(self, account_id: str | None = None) -> Statement:
        self._check_account(account_id)
        account = self.record.account
        posted = [t for t in self.record.transactions if t.status == "posted"]
        return Statement(
            account_id=account.account_id,
            statement_balance=account.statement_balance,
            minimum_payment=account.minimum_payment,
            payment_due_date=account.payment_due_date,
            last_payment_date=account.last_payment_date,
            last_payment_amount=account.last_payment_amount,
            apr_percent=account.apr,
            interest_charged=round(sum(t.amount for t in posted if t.kind == "interest"), 2),
            fees_charged=round(sum(t.amount for t in posted if t.kind == "fee"), 2),
            posted_transactions=len(posted),
        )

    def schedule_payment(self, amount: float, date: dt.date, account_id: str | None = None) -> ScheduledPayment:
        self._check_account(account_id)
        account = self.record.account
        if account.status is AccountStatus.CLOSED:
            raise BankToolError("The account is closed; payments can't be scheduled online.")
        amount = round(float(amount), 2)
        if amount <= 0:
            raise BankToolError("The payment amount must be positive.")
        already = sum(p.amount for p in self.scheduled_payments)
        if amount + already > account.current_balance + 0.005:
            raise BankToolError(
                f"The payment of ${amount:,.2f} plus ${already:,.2f} already scheduled exceeds the current "
                f"balance of ${account.current_balance:,.2f}."
            )
        if date < self.today:
            raise BankToolError(f"The payment date {date.isoformat()} is in the past (today is {self.today}).")
        if date > self.today + dt.timedelta(days=MAX_SCHEDULE_AHEAD_DAYS):
            raise BankToolError(f"Payments can be scheduled at most {MAX_SCHEDULE_AHEAD_DAYS} days ahead.")
        payment = ScheduledPayment(payment_id=f"PAY-{len(self.scheduled_payments) + 1}", amount=amount, date=date)
        self.scheduled_payments.append(payment)
        self._log("payment_scheduled", None, None, {"amount": amount, "date": date.isoformat()})
        return payment

    def set_autopay(self, mode: AutopayMode, account_id: str | None = None) -> AutopayMode:
        self._check_account(account_id)
        if mode not in ("off", "minimum", "statement", "full"):
            raise BankToolError("Autopay mode must be one of: off, minimum, statement, full.")
        account = self.record.account
        old = account.autopay
        if old != mode:
            account.autopay = mode
            self._log("autopay", None, old, mode)
        return mode

    # ---- transactions ------------------------------------------------------------------------------

    def list_transactions(self, days: int = 30, status: TransactionStatusFilter = "all") -> list[Transaction]:
        if days < 1 or days > 365:
            raise BankToolError("days must be between 1 and 365.")
        since = self.today - dt.timedelta(days=days)
        return [
            t for t in reversed(self.record.transactions) if t.date >= since and (status == "all" or t.status == status)
        ]

    def search_transactions(self, query: str) -> list[Transaction]:
        """Transactions whose merchant, descriptor, category or amount match every word of the query."""
        words = query.lower().replace("$", "").split()
        if not words:
            raise BankToolError("The search query is empty.")

        def haystack(t: Transaction) -> str:
            return f"{t.merchant} {t.descriptor} {t.category} {t.kind} {abs(t.amount):.2f} {t.date}".lower()

        return [t for t in reversed(self.record.transactions) if all(w in haystack(t) for w in words)]

    def get_transaction(self, transaction_id: str) -> Transaction:
        transaction = self.record.transaction(transaction_id.strip())
        if transaction is None:
            raise NotOnRecordError("transaction")
        return transaction

    # ---- card services -----------------------------------------------------------------------------

    def list_cards(self) -> list[CardView]:
        return [CardView.of(c) for c in self.record.cards]

    def activate_card(self, card_id: str) -> CardView:
        card = self._card(card_id)
        if card.status is CardStatus.ACTIVE:
            return CardView.of(card)
        if card.status is not CardStatus.NOT_ACTIVATED:
            raise BankToolError(f"The card is {card.status.value} and can't be activated.")
        if card.delivery in ("processing", "returned"):
            raise BankToolError(f"The card can't be activated before it is delivered (delivery: {card.delivery}).")
        if card.delivery != "delivered":
            # The customer holds the plastic, so it has arrived whatever the tracking says.
            self._log("card_delivery", card.card_id, card.delivery, "delivered")
            card.delivery = "delivered"
        self._set_card_status(card, CardStatus.ACTIVE)
        replaced = next((r for r in self.card_replacements if r.new_card_id == card.card_id), None)
        if replaced is not None:
            old_card = self._card(replaced.old_card_id)
            if old_card.status is not CardStatus.CLOSED:
                self._set_card_status(old_card, CardStatus.CLOSED)
        return CardView.of(card)

    def lock_card(self, card_id: str) -> CardView:
        card = self._card(card_id)
        if card.status is CardStatus.CLOSED:
            raise BankToolError("The card is closed; there is nothing to lock.")
        if card.status is not CardStatus.LOCKED:
            self._status_before_lock[card.card_id] = card.status
            self._set_card_status(card, CardStatus.LOCKED)
        return CardView.of(card)

    def unlock_card(self, card_id: str) -> CardView:
        card = self._card(card_id)
        if card.status is not CardStatus.LOCKED:
            raise BankToolError(f"The card is {card.status.value}, not locked.")
        before = self._status_before_lock.pop(card.card_id, CardStatus.ACTIVE)
        self._set_card_status(card, before if before is CardStatus.NOT_ACTIVATED else CardStatus.ACTIVE)
        return CardView.of(card)

    def _new_last_four(self) -> str:
        taken = {c.last_four for c in self.record.cards}
        while True:
            candidate = f"{self._rng.randrange(10_000):04d}"
            if candidate not in taken:
                return candidate

    def replace_card(self, card_id: str, reason: ReplacementReason) -> CardReplacement:
        card = self._card(card_id)
        if card.status is CardStatus.CLOSED:
            raise BankToolError("The card is closed and can't be replaced; it may already have been replaced.")
        if any(r.old_card_id == card.card_id for r in self.card_replacements):
            raise BankToolError("A replacement for this card is already on its way.")
        new_card = Card(
            card_id=f"{card.card_id}-R{len(self.card_replacements) + 1}",
            last_four=self._new_last_four(),
            network=card.network,
            holder_name=card.holder_name,
            role=card.role,
            status=CardStatus.NOT_ACTIVATED,
            expiry=f"{card.expiry[:2]}/{(self.today.year + 4) % 100:02d}",
            delivery="processing",
        )
        self.record.cards.append(new_card)
        self._log("card_replacement", card.card_id, None, {"new_card_id": new_card.card_id, "reason": reason})
        if reason in _COMPROMISED_REASONS:
            self._status_before_lock.pop(card.card_id, None)
            self._set_card_status(card, CardStatus.CLOSED)
        replacement = CardReplacement(
            old_card_id=card.card_id,
            new_card_id=new_card.card_id,
            new_last_four=new_card.last_four,
            reason=reason,
            requested_on=self.today,
            expected_delivery=self.today + dt.timedelta(days=REPLACEMENT_DELIVERY_DAYS),
            old_card_status=card.status,
        )
        self.card_replacements.append(replacement)
        return replacement

    def reset_pin(self, card_id: str) -> PinReset:
        card = self._card(card_id)
        if card.status is CardStatus.CLOSED:
            raise BankToolError("The card is closed; a PIN can't be set on it.")
        reset = PinReset(card_id=card.card_id, requested_on=self.today)
        self.pin_resets.append(reset)
        self._log("pin_reset", card.card_id, None, "requested")
        return reset

    def card_delivery_status(self, card_id: str) -> DeliveryStatus:
        card = self._card(card_id)
        replacement = next((r for r in self.card_replacements if r.new_card_id == card.card_id), None)
        expected = replacement.expected_delivery if replacement and card.delivery != "delivered" else None
        return DeliveryStatus(
            card_id=card.card_id,
            card_number=mask_card_number(card.last_four),
            delivery=card.delivery,
            expected_delivery=expected,
        )

    def add_travel_notice(self, destination: str, start: dt.date, end: dt.date) -> TravelNotice:
        destination = " ".join(destination.split())
        if not destination:
            raise BankToolError("The travel destination is empty.")
        if end < start:
            raise BankToolError("The travel end date is before the start date.")
        if end < self.today:
            raise BankToolError("The trip has already ended.")
        if start > self.today + dt.timedelta(days=MAX_TRAVEL_AHEAD_DAYS):
            raise BankToolError(f"Travel notices can be set at most {MAX_TRAVEL_AHEAD_DAYS} days ahead.")
        if (end - start).days > MAX_TRAVEL_LENGTH_DAYS:
            raise BankToolError(f"A travel notice can cover at most {MAX_TRAVEL_LENGTH_DAYS} days.")
        notice = TravelNotice(
            notice_id=f"TRV-{len(self.travel_notices) + 1}", destination=destination, start=start, end=end
        )
        self.travel_notices.append(notice)
        self._log(
            "travel_notice",
            None,
            None,
            {"destination": destination, "start": start.isoformat(), "end": end.isoformat()},
        )
        return notice

    # ---- human handoff -----------------------------------------------------------------------------

    def transfer_to_department(self, department: str, summary: str) -> Transfer:
        try:
            route = parse_route(department)
        except UnknownRouteError:
            humans = ", ".join(r.value for r, i in ROUTES.items() if i.kind is RouteKind.HUMAN)
            raise BankToolError(f"Unknown department {department!r}; human departments are: {humans}.") from None
        if ROUTES[route].kind is not RouteKind.HUMAN:
            humans = ", ".join(r.value for r, i in ROUTES.items() if i.kind is RouteKind.HUMAN)
            raise BankToolError(f"{route.value} is not a human department; human departments are: {humans}.")
        summary = redact(" ".join(summary.split()))
        if not summary:
            raise BankToolError("A transfer needs a summary of the customer's issue for the department.")
        transfer = Transfer(department=route.value, summary=summary)
        self.transfers.append(transfer)
        self._log("transfer", None, None, {"department": route.value, "summary": summary})
        return transfer

    # ---- grading -----------------------------------------------------------------------------------

    def check_requirements(self, requirements: list[StateRequirement]) -> list[str]:
        """The requirements the state does not meet, each described in one line; empty means state_correct."""
        return [f"{r.target}({r.card_id or '-'})={r.value}" for r in requirements if not self._meets(r)]

    def _meets(self, req: StateRequirement) -> bool:
        value = req.value.strip().lower()
        if req.target == "card_status":
            card = self._read_only_record().card(req.card_id or "")
            if card is None:
                return False
            if value == CardStatus.LOCKED.value:
                return card.status in _BLOCKED_STATUSES
            return card.status.value == value
        if req.target == "autopay":
            return self._read_only_record().account.autopay == value
        if req.target == "payment_scheduled":
            return any(self._payment_meets(p, value) for p in self.scheduled_payments)
        if req.target == "travel_notice":
            return any(value in _TRUTHY or value in n.destination.lower() for n in self.travel_notices)
        if req.target == "pin_reset":
            return any(req.card_id in (None, p.card_id) for p in self.pin_resets)
        if req.target == "replacement":
            return any(
                req.card_id in (None, r.old_card_id) and (value in _TRUTHY or value == r.reason)
                for r in self.card_replacements
            )
        raise ValueError(f"unknown requirement target {req.target!r}")

    def _payment_meets(self, payment: ScheduledPayment, value: str) -> bool:
        account = self.record.account
        thresholds = {
            "minimum": account.minimum_payment,
            "statement": account.statement_balance,
            "full": account.current_balance,
        }
        if value in thresholds:
            return payment.amount + 0.005 >= thresholds[value]
        try:
            return abs(payment.amount - float(value.replace("$", "").replace(",", ""))) < 0.01
        except ValueError:
            return value in _TRUTHY
