"""The bank's systems as LangChain tools over one episode's BankState.

Every output is short compact JSON or one sentence, passed through `redact`; card numbers appear only as
the last four digits. Bank errors and malformed arguments come back to the model as an error string (the
ToolMessage has status 'error'), never as an exception that ends the episode.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, Field, ValidationError

from ccsim.contact_center.models import CardStatus, Transaction
from ccsim.contact_center.taxonomy import HUMAN_ROUTES, ROUTES, Route, RouteKind
from ccsim.tools.bank_state import (
    AutopayMode,
    BankState,
    BankToolError,
    ReplacementReason,
    TransactionStatusFilter,
)
from ccsim.tools.knowledge_base import KnowledgeBase
from ccsim.tools.masking import mask_card_number, redact

# ---- argument schemas --------------------------------------------------------------------------------


class NoArgs(BaseModel):
    """This tool takes no arguments."""


def _account_id_field() -> Any:
    return Field(default=None, description="The caller's account id. Leave empty to use the verified caller's account.")


class AccountArgs(BaseModel):
    account_id: str | None = _account_id_field()


class SchedulePaymentArgs(BaseModel):
    amount: float = Field(gt=0, description="Payment amount in USD, e.g. 150.00. At most the current balance.")
    date: dt.date = Field(description="Payment date as YYYY-MM-DD; today or up to 60 days ahead.")
    account_id: str | None = _account_id_field()


class SetAutopayArgs(BaseModel):
    mode: AutopayMode = Field(
        description="'minimum' (minimum payment), 'statement' (statement balance), 'full' (current balance) or 'off'."
    )
    account_id: str | None = _account_id_field()


class ListTransactionsArgs(BaseModel):
    days: int = Field(default=30, ge=1, le=365, description="How many days back to look (1-365).")
    status: TransactionStatusFilter = Field(default="all", description="'posted', 'pending' or 'all'.")


class SearchTransactionsArgs(BaseModel):
    query: str = Field(
        min_length=1, description="Words to match in the merchant, statement descriptor or category, or an amount."
    )


class TransactionArgs(BaseModel):
    transaction_id: str = Field(min_length=1, description="The transaction id, e.g. from list_transactions.")


class CardArgs(BaseModel):
    card_id: str = Field(min_length=1, description="The card id from list_cards (not the card number).")


class ReplaceCardArgs(CardArgs):
    reason: ReplacementReason = Field(
        description="Why the card is replaced: 'lost', 'stolen', 'damaged', 'expiring' or 'not_received'."
    )


class TravelNoticeArgs(BaseModel):
    destination: str = Field(min_length=1, description="Where the customer is travelling, e.g. 'Portugal'.")
    start: dt.date = Field(description="First day of the trip, YYYY-MM-DD.")
    end: dt.date = Field(description="Last day of the trip, YYYY-MM-DD.")


class KnowledgeBaseArgs(BaseModel):
    query: str = Field(min_length=1, description="The customer's question in plain words.")
    k: int = Field(default=3, ge=1, le=5, description="How many articles to return (1-5).")


class TransferArgs(BaseModel):
    department: str = Field(description="The human department: " + ", ".join(r.value for r in HUMAN_ROUTES) + ".")
    summary: str = Field(
        min_length=1,
        description="What the department needs: the issue, merchant, amount, date, the card's last four digits "
        "and what the customer says happened. Never a full card number.",
    )


# ---- rendering ---------------------------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


def _transaction_view(state: BankState, t: Transaction) -> dict[str, Any]:
    card = state.record.card(t.card_id) if t.card_id else None
    return {
        "transaction_id": t.transaction_id,
        "date": t.date.isoformat(),
        "merchant": t.merchant,
        "descriptor": t.descriptor,
        "category": t.category,
        "amount": t.amount,
        "status": t.status,
        "kind": t.kind,
        "channel": t.channel,
        "card": mask_card_number(card.last_four) if card else None,
    }


def _transactions(state: BankState, transactions: list[Transaction]) -> str:
    if not transactions:
        return "No matching transactions."
    return _json([_transaction_view(state, t) for t in transactions])


def _validation_message(error: ValidationError | Any) -> str:
    if isinstance(error, ValidationError):
        details = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in error.errors())
        return redact(f"Error: invalid arguments ({details}). Fix the arguments and try again.")
    return "Error: invalid arguments. Fix the arguments and try again."


def _tool(name: str, description: str, args_schema: type[BaseModel], run: Callable[..., str]) -> StructuredTool:
    """A tool whose bank errors become a readable 'Error: ...' for the model and whose output is redacted."""

    def guarded(**kwargs: Any) -> str:
        try:
            return redact(run(**kwargs))
        except BankToolError as error:
            raise ToolException(redact(f"Error: {error}")) from error

    async def aguarded(**kwargs: Any) -> str:
        # The state is in memory; running inline keeps one episode's mutations on one thread, in order.
        return guarded(**kwargs)

    return StructuredTool.from_function(
        func=guarded,
        coroutine=aguarded,
        name=name,
        description=description,
        args_schema=args_schema,
        handle_tool_error=True,
        handle_validation_error=_validation_message,
    )


# ---- the tools ---------------------------------------------------------------------------------------


def _account_tools(state: BankState) -> list[BaseTool]:
    def get_account_summary(account_id: str | None = None) -> str:
        return _json(_dump(state.account_summary(account_id)))

    def get_statement(account_id: str | None = None) -> str:
        return _json(_dump(state.statement(account_id)))

    def schedule_payment(amount: float, date: dt.date, account_id: str | None = None) -> str:
        payment = state.schedule_payment(amount, date, account_id)
        return f"Scheduled payment {payment.payment_id}: ${payment.amount:,.2f} on {payment.date.isoformat()}."

    def set_autopay(mode: AutopayMode, account_id: str | None = None) -> str:
        state.set_autopay(mode, account_id)
        return "Autopay is now off." if mode == "off" else f"Autopay is now on: pays the {mode} amount each month."

    return [
        _tool(
            "get_account_summary",
            "Get the verified caller's account overview: balance, available credit, credit limit, statement "
            "balance, minimum payment, due date, days past due, APR, rewards points and autopay setting.",
            AccountArgs,
            get_account_summary,
        ),
        _tool(
            "get_statement",
            "Get the latest statement: statement balance, minimum payment, due date, last payment, APR, and "
            "interest and fees charged.",
            AccountArgs,
            get_statement,
        ),
        _tool(
            "schedule_payment",
            "Schedule a one-time payment from the customer's linked bank account. Confirm the amount and date "
            "with the customer first. The amount must be positive and at most the current balance. "
            f"Today is {state.today.isoformat()}.",
            SchedulePaymentArgs,
            schedule_payment,
        ),
        _tool(
            "set_autopay",
            "Turn automatic monthly payments on (minimum, statement or full balance) or off.",
            SetAutopayArgs,
            set_autopay,
        ),
    ]


def _transaction_tools(state: BankState) -> list[BaseTool]:
    def list_transactions(days: int = 30, status: TransactionStatusFilter = "all") -> str:
        return _transactions(state, state.list_transactions(days, status))

    def search_transactions(query: str) -> str:
        return _transactions(state, state.search_transactions(query))

    def get_transaction(transaction_id: str) -> str:
        return _json(_transaction_view(state, state.get_transaction(transaction_id)))

    return [
        _tool(
            "list_transactions",
            "List the account's recent transactions, newest first, with merchant, statement descriptor, "
            "amount (payments and refunds negative), status (posted or pending) and card.",
            ListTransactionsArgs,
            list_transactions,
        ),
        _tool(
            "search_transactions",
            "Find transactions by merchant name, statement descriptor, category or amount (every word must "
            "match), newest first.",
            SearchTransactionsArgs,
            search_transactions,
        ),
        _tool(
            "get_transaction",
            "Get one transaction's details by its transaction id.",
            TransactionArgs,
            get_transaction,
        ),
    ]


def _card_tools(state: BankState) -> list[BaseTool]:
    def list_cards() -> str:
        return _json([_dump(c) for c in state.list_cards()])

    def activate_card(card_id: str) -> str:
        card = state.activate_card(card_id)
        return f"Card {card.card_number} ({card.card_id}) is active."

    def lock_card(card_id: str) -> str:
        card = state.lock_card(card_id)
        return f"Card {card.card_number} ({card.card_id}) is locked; new purchases will be declined."

    def unlock_card(card_id: str) -> str:
        card = state.unlock_card(card_id)
        return f"Card {card.card_number} ({card.card_id}) is unlocked; status {card.status.value}."

    def replace_card(card_id: str, reason: ReplacementReason) -> str:
        r = state.replace_card(card_id, reason)
        old = (
            "The old card is closed."
            if r.old_card_status is CardStatus.CLOSED
            else "The old card keeps working until the new one is activated."
        )
        return (
            f"Replacement ordered ({reason}): new card {mask_card_number(r.new_last_four)} ({r.new_card_id}), "
            f"expected by {r.expected_delivery.isoformat()}. {old}"
        )

    def reset_pin(card_id: str) -> str:
        reset = state.reset_pin(card_id)
        return f"PIN reset started for card {reset.card_id}. {reset.how}"

    def get_card_delivery_status(card_id: str) -> str:
        return _json(_dump(state.card_delivery_status(card_id)))

    def add_travel_notice(destination: str, start: dt.date, end: dt.date) -> str:
        notice = state.add_travel_notice(destination, start, end)
        return f"Travel notice {notice.notice_id} set for {notice.destination}, {notice.start} to {notice.end}."

    return [
        _tool(
            "list_cards",
            "List the cards on the account with card id, masked number (last four only), holder, role, "
            "status, expiry and delivery status. Call this first to find a card_id.",
            NoArgs,
            list_cards,
        ),
        _tool("activate_card", "Activate a card the customer has received.", CardArgs, activate_card),
        _tool(
            "lock_card",
            "Lock a card so new purchases are declined (for a misplaced, lost or stolen card). Reversible.",
            CardArgs,
            lock_card,
        ),
        _tool("unlock_card", "Unlock a locked card the customer has found.", CardArgs, unlock_card),
        _tool(
            "replace_card",
            "Order a replacement card with a new number. For lost, stolen or never-received cards the old card "
            "is closed at once; for damaged or expiring cards it works until the new card is activated.",
            ReplaceCardArgs,
            replace_card,
        ),
        _tool(
            "reset_pin",
            "Start a PIN reset: the customer sets a new PIN in the app. Never ask for or say a PIN.",
            CardArgs,
            reset_pin,
        ),
        _tool(
            "get_card_delivery_status",
            "Get a card's delivery status (processing, in_transit, delivered, returned) and expected date.",
            CardArgs,
            get_card_delivery_status,
        ),
        _tool(
            "add_travel_notice",
            "Record a travel notice so purchases at the destination between the dates are expected. "
            f"Today is {state.today.isoformat()}.",
            TravelNoticeArgs,
            add_travel_notice,
        ),
    ]


def _knowledge_base_tool() -> BaseTool:
    kb = KnowledgeBase.load()

    def search_knowledge_base(query: str, k: int = 3) -> str:
        hits = kb.search(query, k)
        if not hits:
            return "No article matches; the knowledge base does not cover this."
        return _json([{"id": h.id, "title": h.title, "body": h.body} for h in hits])

    return _tool(
        "search_knowledge_base",
        "Search the bank's policy and FAQ articles (fees, APR and interest, rewards, eligibility, how-to). "
        "Answer only from the articles returned.",
        KnowledgeBaseArgs,
        search_knowledge_base,
    )


def transfer_tool(state: BankState) -> BaseTool:
    """transfer_to_human_department: an unknown or non-human department is an error string, not an exception."""

    def transfer_to_human_department(department: str, summary: str) -> str:
        transfer = state.transfer_to_department(department, summary)
        return f"Transferred to {ROUTES[Route(transfer.department)].title}. Summary passed on: {transfer.summary}"

    return _tool(
        "transfer_to_human_department",
        "Transfer the call to a human department with a summary of the issue. Only these departments "
        "exist: " + ", ".join(r.value for r in HUMAN_ROUTES) + ".",
        TransferArgs,
        transfer_to_human_department,
    )


def tools_for_helper(route: Route, state: BankState) -> list[BaseTool]:
    """The tools one helper agent works with; a human department has none."""
    builders: dict[Route, Callable[[], list[BaseTool]]] = {
        Route.ACCOUNT_SERVICES: lambda: _account_tools(state),
        Route.TRANSACTIONS: lambda: _transaction_tools(state),
        Route.CARD_SERVICES: lambda: _card_tools(state),
        Route.KNOWLEDGE_BASE: lambda: [_knowledge_base_tool()],
    }
    if ROUTES[route].kind is not RouteKind.HELPER:
        raise ValueError(f"{route.value} is a human department, not a helper agent; it has no bank tools")
    return builders[route]()


def make_bank_tools(state: BankState, *, include_transfer: bool = True) -> list[BaseTool]:
    """Every bank tool over `state`: all helpers' tools, then the transfer tool unless excluded."""
    helpers = [route for route, info in ROUTES.items() if info.kind is RouteKind.HELPER]
    tools = [tool for route in helpers for tool in tools_for_helper(route, state)]
    return [*tools, transfer_tool(state)] if include_transfer else tools
