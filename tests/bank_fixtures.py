"""Hand-built customer records and scenarios for the bank-state and tool tests.

Built here rather than by the scenario generator so these tests pin the bank's behaviour on data whose
every value is known.
"""

from __future__ import annotations

import datetime as dt

from ccsim.contact_center.models import (
    Account,
    AccountStatus,
    Card,
    CardStatus,
    CustomerFacts,
    CustomerProfile,
    CustomerRecord,
    Difficulty,
    Persona,
    Scenario,
    StateRequirement,
    Transaction,
    Verification,
)
from ccsim.contact_center.taxonomy import ROUTES, Route

TODAY = dt.date(2025, 3, 14)


def make_record(
    *,
    customer_id: str = "C-1001",
    account_id: str = "ACC-1001",
    card_prefix: str = "CARD-A",
    txn_prefix: str = "TXN-A",
    last_fours: tuple[str, str, str] = ("4821", "7719", "3005"),
) -> CustomerRecord:
    """A customer with an active primary card, an authorised user's card and a card not yet activated."""
    primary, authorized, new = (f"{card_prefix}{i}" for i in (1, 2, 3))

    def txn(n: int, days_ago: int, merchant: str, descriptor: str, amount: float, **kw: object) -> Transaction:
        fields: dict[str, object] = {
            "category": "shopping",
            "status": "posted",
            "kind": "purchase",
            "card_id": primary,
            "channel": "in_store",
        }
        fields.update(kw)
        return Transaction(
            transaction_id=f"{txn_prefix}{n:03d}",
            date=TODAY - dt.timedelta(days=days_ago),
            merchant=merchant,
            descriptor=descriptor,
            amount=amount,
            **fields,
        )

    return CustomerRecord(
        profile=CustomerProfile(
            customer_id=customer_id,
            first_name="Dana",
            last_name="Whitfield",
            email="dana.whitfield@example.com",
            phone="555-201-7788",
            address="12 Elm Street, Springfield, IL 62701",
            date_of_birth=dt.date(1986, 7, 2),
            ssn_last4="6621",
            persona=Persona(tone="calm", verbosity="normal", patience=6, typing="clean"),
        ),
        verification=Verification(verified=True, method="otp"),
        account=Account(
            account_id=account_id,
            credit_limit=5000.0,
            current_balance=1240.55,
            statement_balance=980.10,
            apr=22.49,
            payment_due_date=TODAY + dt.timedelta(days=12),
            minimum_payment=35.0,
            last_payment_date=TODAY - dt.timedelta(days=20),
            last_payment_amount=250.0,
            status=AccountStatus.OPEN,
            rewards_points=18250,
            autopay="off",
            opened_on=dt.date(2019, 4, 1),
        ),
        cards=[
            Card(
                card_id=primary,
                last_four=last_fours[0],
                network="visa",
                holder_name="DANA WHITFIELD",
                role="primary",
                status=CardStatus.ACTIVE,
                expiry="09/27",
            ),
            Card(
                card_id=authorized,
                last_four=last_fours[1],
                network="visa",
                holder_name="SAM WHITFIELD",
                role="authorized_user",
                status=CardStatus.ACTIVE,
                expiry="09/27",
            ),
            Card(
                card_id=new,
                last_four=last_fours[2],
                network="visa",
                holder_name="DANA WHITFIELD",
                role="primary",
                status=CardStatus.NOT_ACTIVATED,
                expiry="02/30",
                delivery="in_transit",
            ),
        ],
        transactions=[
            txn(1, 40, "Corner Grocer", "CORNER GROCER #221", 64.20, category="groceries"),
            txn(2, 20, "Payment", "ONLINE PAYMENT THANK YOU", -250.0, kind="payment", card_id=None, channel="bank"),
            txn(3, 9, "Netflix", "NETFLIX.COM 866-579-7172", 15.49, category="subscriptions", channel="recurring"),
            txn(4, 6, "Shell", "SHELL OIL 5744 SPRINGFIELD", 48.90, category="fuel", card_id=authorized),
            txn(5, 3, "Amazon", "AMZN MKTP US*2K4T81", 129.99, category="shopping", channel="online"),
            txn(6, 3, "Amazon", "AMZN MKTP US*2K4T81", 129.99, category="shopping", channel="online"),
            txn(7, 1, "Blue Bottle Coffee", "BLUE BOTTLE COFFEE SF", 6.75, category="restaurants", status="pending"),
            txn(8, 0, "Interest", "INTEREST CHARGE ON PURCHASES", 18.37, kind="interest", card_id=None, channel="bank"),
        ],
    )


def other_record() -> CustomerRecord:
    """Another customer of the same bank: their ids must never be served to the first customer."""
    return make_record(
        customer_id="C-2002",
        account_id="ACC-2002",
        card_prefix="CARD-B",
        txn_prefix="TXN-B",
        last_fours=("1150", "2261", "3372"),
    )


def make_scenario(
    record: CustomerRecord | None = None,
    *,
    expected_route: Route = Route.CARD_SERVICES,
    required_state: list[StateRequirement] | None = None,
    seed: int = 7,
) -> Scenario:
    record = record or make_record()
    return Scenario(
        id="bank-fixture-1",
        seed=seed,
        source="tests/bank_fixtures.py",
        difficulty=Difficulty.EASY,
        customer=record,
        intent="lost_card",
        opening_message="I think I lost my card somewhere downtown.",
        facts=CustomerFacts(
            issue_summary="Lost the primary card yesterday, no unknown charges.",
            card_id=record.cards[0].card_id,
            card_situation="lost",
            unknown_charges=False,
        ),
        expected_route=expected_route,
        needs_human=ROUTES[expected_route].needs_human,
        required_state=required_state or [],
    )
