"""Checks that a scenario's ground truth agrees with its customer record and the routing policy."""

from __future__ import annotations

import re

from ccsim.contact_center.models import AccountStatus, Scenario
from ccsim.contact_center.taxonomy import ROUTES, most_urgent
from ccsim.scenarios.catalog import Catalog, load_catalog

# A 13+ digit run (spaces or dashes allowed between digits) could be a full card number.
LONG_NUMBER = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,}(?!\d)")

_DUPLICATE_SETUPS = frozenset({"duplicate_charge"})
_TXN_SETUPS = frozenset(
    {"unknown_charge", "unknown_charge_online", "card_stolen_used", "duplicate_charge", "wrong_amount",
     "refund_missing", "not_delivered", "subscription", "pending_charge", "descriptor", "payment_posted",
     "recent_purchase", "atm_not_dispensed", "atm_unknown"}
)  # fmt: skip


def check_scenario(scenario: Scenario, catalog: Catalog | None = None) -> list[str]:
    """Every inconsistency found, as short sentences; an empty list means consistent."""
    catalog = catalog or load_catalog()
    problems: list[str] = []
    record = scenario.customer
    facts = scenario.facts
    card_ids = {c.card_id for c in record.cards}
    txn_ids = [t.transaction_id for t in record.transactions]

    if scenario.needs_human != ROUTES[scenario.expected_route].needs_human:
        problems.append(f"needs_human={scenario.needs_human} contradicts route {scenario.expected_route.value}")
    if len(set(txn_ids)) != len(txn_ids):
        problems.append("transaction ids are not unique")
    if len(card_ids) != len(record.cards):
        problems.append("card ids are not unique")

    if not catalog.has(scenario.intent):
        problems.append(f"unknown intent {scenario.intent!r}")
        intent = None
    else:
        intent = catalog.get(scenario.intent)
        if "multi_issue" in scenario.tags or facts.other_issues:
            unknown = [name for name in facts.other_issues if not catalog.has(name)]
            if unknown:
                problems.append(f"other_issues names unknown intents {unknown}")
            else:
                routes = [intent.route, *(catalog.get(n).route for n in facts.other_issues)]
                if most_urgent(routes) != scenario.expected_route:
                    problems.append(
                        f"multi-issue call should go to {most_urgent(routes).value}, "
                        f"not {scenario.expected_route.value}"
                    )
        elif intent.route != scenario.expected_route:
            problems.append(f"intent {intent.name} routes to {intent.route.value}, not {scenario.expected_route.value}")
        if scenario.clarification_needed and not intent.hard and scenario.template_id is not None:
            problems.append(f"clarification_needed but intent {intent.name} has no ambiguous phrasings")
        if scenario.template_id is not None and not scenario.template_id.startswith(f"{intent.name}."):
            problems.append(f"template_id {scenario.template_id!r} is not a phrasing of {intent.name}")

    for tid in facts.transaction_ids:
        txn = record.transaction(tid)
        if txn is None:
            problems.append(f"facts name transaction {tid} which is not in the customer's record")
        elif txn.card_id is not None and txn.card_id not in card_ids:
            problems.append(f"transaction {tid} is on card {txn.card_id} which the customer does not hold")
    if facts.card_id is not None and facts.card_id not in card_ids:
        problems.append(f"facts name card {facts.card_id} which the customer does not hold")

    # An imported utterance whose intent its words do not decide keeps unknown facts (scenarios/importer.py).
    if intent is not None and "facts_unknown" not in scenario.tags:
        if intent.setup in _TXN_SETUPS and not facts.transaction_ids:
            problems.append(f"{intent.name} needs the transaction in question but facts name none")
        if intent.setup in _DUPLICATE_SETUPS:
            problems.extend(_check_duplicate(scenario))
        if intent.setup == "past_due":
            problems.extend(_check_past_due(scenario))
        if intent.setup == "card_not_activated":
            card = record.card(facts.card_id or "")
            if card is None or card.status.value != "not_activated":
                problems.append("activation scenario has no card waiting to be activated")
        if intent.setup == "card_not_received":
            card = record.card(facts.card_id or "")
            if card is None or card.delivery != "in_transit":
                problems.append("delivery scenario has no card in transit")
        for name in intent.required_facts:
            value = getattr(facts, name)
            if value is None or value == [] or value == {}:
                problems.append(f"{intent.name} requires facts.{name}")
    if record.account.status is AccountStatus.PAST_DUE:
        problems.extend(_check_past_due(scenario))

    for requirement in scenario.required_state:
        if requirement.card_id is not None and requirement.card_id not in card_ids:
            problems.append(f"required_state targets card {requirement.card_id} which does not exist")
        if requirement.target == "card_status" and requirement.card_id is None:
            problems.append("required card_status has no card_id")

    if LONG_NUMBER.search(scenario.model_dump_json()):
        problems.append("a 13+ digit number appears in the scenario (possible full card number)")
    return problems


def _check_duplicate(scenario: Scenario) -> list[str]:
    txns = [scenario.customer.transaction(t) for t in scenario.facts.transaction_ids]
    found = [t for t in txns if t is not None]
    if len(found) < 2:
        return ["duplicate charge does not appear twice in the transactions"]
    first, second = found[0], found[1]
    if first.merchant != second.merchant or first.amount != second.amount:
        return ["the two duplicate charges differ in merchant or amount"]
    if abs((second.date - first.date).days) > 3:
        return ["the two duplicate charges are more than 3 days apart"]
    return []


def _check_past_due(scenario: Scenario) -> list[str]:
    account = scenario.customer.account
    problems = []
    if account.status is not AccountStatus.PAST_DUE:
        problems.append("past-due scenario's account is not past_due")
    if account.days_past_due <= 0:
        problems.append("past-due account has days_past_due 0")
    latest = max((t.date for t in scenario.customer.transactions), default=account.payment_due_date)
    if account.payment_due_date >= latest:
        problems.append("past-due account's due date is not in the past")
    return problems
