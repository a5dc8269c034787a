from __future__ import annotations

import datetime as dt

import pytest

from ccsim.contact_center.models import CardStatus, StateRequirement
from ccsim.tools.bank_state import BankState, BankToolError, NotOnRecordError, reference_date
from tests.bank_fixtures import TODAY, make_record, make_scenario, other_record

NOT_ON_RECORD = "not on the verified caller's record; I can't share it."


@pytest.fixture
def state() -> BankState:
    return BankState.from_scenario(make_scenario())


def test_reference_date_is_latest_activity() -> None:
    assert reference_date(make_record()) == TODAY


def test_states_are_isolated_from_each_other_and_the_scenario() -> None:
    scenario = make_scenario()
    before = scenario.model_dump_json()
    first, second = BankState.from_scenario(scenario), BankState.from_scenario(scenario)
    first.lock_card("CARD-A1")
    first.set_autopay("full")
    first.replace_card("CARD-A2", "stolen")
    assert second.record.card("CARD-A1").status is CardStatus.ACTIVE
    assert second.record.account.autopay == "off"
    assert len(second.record.cards) == 3 and second.changes == []
    assert scenario.model_dump_json() == before


def test_the_record_is_copied_only_when_the_bank_is_first_used() -> None:
    requirements = [_req("card_status", "locked", "CARD-A1"), _req("autopay", "off")]
    scenario = make_scenario(required_state=requirements)
    state = BankState.from_scenario(scenario)
    # Checking an untouched bank reads the scenario's record; no copy is made for it.
    assert state.check_requirements(requirements) == ["card_status(CARD-A1)=locked"]
    assert state._record is None
    # The first use makes the copy, and what it changes stays in the copy.
    state.lock_card("CARD-A1")
    assert state.record is not scenario.customer
    assert state.check_requirements(requirements) == []
    assert scenario.customer.card("CARD-A1").status is CardStatus.ACTIVE


def test_account_summary_and_statement(state: BankState) -> None:
    summary = state.account_summary()
    account = state.record.account
    assert summary.available_credit == account.credit_limit - account.current_balance
    assert summary.holder == "Dana Whitfield"
    statement = state.statement("ACC-1001")
    interest = sum(t.amount for t in state.record.transactions if t.kind == "interest" and t.status == "posted")
    assert statement.interest_charged == pytest.approx(interest)
    assert statement.posted_transactions == sum(t.status == "posted" for t in state.record.transactions)


def test_schedule_payment_validates_amount_and_date(state: BankState) -> None:
    payment = state.schedule_payment(100, TODAY + dt.timedelta(days=3))
    assert payment.amount == 100 and state.scheduled_payments == [payment]
    assert state.changes[-1]["what"] == "payment_scheduled"
    balance = state.record.account.current_balance
    for amount, date in [
        (0, TODAY),
        (-5, TODAY),
        (balance, TODAY),  # together with the 100 already scheduled it exceeds the balance
        (10, TODAY - dt.timedelta(days=1)),
        (10, TODAY + dt.timedelta(days=400)),
    ]:
        with pytest.raises(BankToolError):
            state.schedule_payment(amount, date)
    assert len(state.scheduled_payments) == 1


def test_set_autopay_logs_change_once(state: BankState) -> None:
    state.set_autopay("statement")
    state.set_autopay("statement")
    assert state.record.account.autopay == "statement"
    assert state.changes == [{"what": "autopay", "card_id": None, "old": "off", "new": "statement"}]


def test_transactions_listing_filters_and_search(state: BankState) -> None:
    pending = state.list_transactions(30, "pending")
    assert [t.transaction_id for t in pending] == ["TXN-A007"]
    recent = state.list_transactions(7)
    assert all(t.date >= TODAY - dt.timedelta(days=7) for t in recent)
    assert recent[0].date >= recent[-1].date
    assert "TXN-A001" not in {t.transaction_id for t in state.list_transactions(30)}
    assert {t.transaction_id for t in state.search_transactions("amzn")} == {"TXN-A005", "TXN-A006"}
    assert {t.transaction_id for t in state.search_transactions("$48.90")} == {"TXN-A004"}
    assert state.get_transaction("TXN-A003").merchant == "Netflix"
    with pytest.raises(BankToolError):
        state.list_transactions(0)


def test_foreign_ids_are_refused_with_one_message(state: BankState) -> None:
    other = other_record()
    calls = [
        lambda: state.account_summary(other.account.account_id),
        lambda: state.schedule_payment(10, TODAY, other.account.account_id),
        lambda: state.get_transaction(other.transactions[0].transaction_id),
        lambda: state.get_transaction("TXN-DOES-NOT-EXIST"),
        lambda: state.lock_card(other.cards[0].card_id),
        lambda: state.replace_card("CARD-NOPE", "lost"),
        lambda: state.reset_pin(other.cards[1].card_id),
        lambda: state.card_delivery_status(other.cards[2].card_id),
    ]
    for call in calls:
        with pytest.raises(NotOnRecordError, match=NOT_ON_RECORD):
            call()
    assert state.changes == []


def test_lock_unlock_and_activate(state: BankState) -> None:
    state.lock_card("CARD-A1")
    state.lock_card("CARD-A1")  # idempotent
    assert state.record.card("CARD-A1").status is CardStatus.LOCKED
    state.unlock_card("CARD-A1")
    assert state.record.card("CARD-A1").status is CardStatus.ACTIVE
    with pytest.raises(BankToolError):
        state.unlock_card("CARD-A1")
    state.lock_card("CARD-A3")
    state.unlock_card("CARD-A3")
    assert state.record.card("CARD-A3").status is CardStatus.NOT_ACTIVATED  # unlocking never activates
    card = state.activate_card("CARD-A3")
    assert card.status is CardStatus.ACTIVE and card.delivery == "delivered"
    assert [c["what"] for c in state.changes].count("card_status") == 5


def test_lost_card_replacement_closes_old_card_and_issues_new_number(state: BankState) -> None:
    replacement = state.replace_card("CARD-A1", "lost")
    old, new = state.record.card("CARD-A1"), state.record.card(replacement.new_card_id)
    assert old.status is CardStatus.CLOSED
    assert new.status is CardStatus.NOT_ACTIVATED and new.delivery == "processing"
    assert new.last_four not in {"4821", "7719", "3005"}
    assert replacement.expected_delivery > TODAY
    with pytest.raises(BankToolError):
        state.replace_card("CARD-A1", "lost")
    with pytest.raises(BankToolError, match="delivered"):
        state.activate_card(new.card_id)  # still processing
    assert state.card_delivery_status(new.card_id).expected_delivery == replacement.expected_delivery


def test_replacement_is_deterministic_per_seed() -> None:
    numbers = [
        BankState.from_scenario(make_scenario(seed=11)).replace_card("CARD-A1", "stolen").new_last_four
        for _ in range(2)
    ]
    assert numbers[0] == numbers[1]


def test_damaged_card_stays_usable_until_replacement_activated(state: BankState) -> None:
    replacement = state.replace_card("CARD-A2", "damaged")
    assert state.record.card("CARD-A2").status is CardStatus.ACTIVE
    state.record.card(replacement.new_card_id).delivery = "delivered"
    state.activate_card(replacement.new_card_id)
    assert state.record.card("CARD-A2").status is CardStatus.CLOSED


def test_pin_reset_travel_notice_and_validation(state: BankState) -> None:
    state.reset_pin("CARD-A1")
    assert state.pin_resets[0].card_id == "CARD-A1"
    notice = state.add_travel_notice(
        "  Lisbon,   Portugal ", TODAY + dt.timedelta(days=5), TODAY + dt.timedelta(days=15)
    )
    assert notice.destination == "Lisbon, Portugal"
    for destination, start, end in [
        ("Rome", TODAY + dt.timedelta(days=9), TODAY + dt.timedelta(days=2)),
        ("Rome", TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=20)),
        ("Rome", TODAY + dt.timedelta(days=400), TODAY + dt.timedelta(days=410)),
        ("   ", TODAY, TODAY),
    ]:
        with pytest.raises(BankToolError):
            state.add_travel_notice(destination, start, end)
    assert len(state.travel_notices) == 1


def test_transfer_validates_department_and_redacts_summary(state: BankState) -> None:
    transfer = state.transfer_to_department("Fraud", "Unknown charge on card 4111 1111 1111 1111 at ACME")
    assert transfer.department == "fraud"
    assert "4111 1111 1111 1111" not in transfer.summary and "1111" in transfer.summary
    for department in ["card_services", "billing", ""]:
        with pytest.raises(BankToolError, match="human departments are"):
            state.transfer_to_department(department, "summary")
    with pytest.raises(BankToolError):
        state.transfer_to_department("disputes", "   ")
    assert len(state.transfers) == 1


def _req(target: str, value: str, card_id: str | None = None) -> StateRequirement:
    return StateRequirement(target=target, value=value, card_id=card_id)


def test_check_requirements_for_a_lost_card() -> None:
    requirements = [_req("card_status", "locked", "CARD-A1"), _req("replacement", "true", "CARD-A1")]
    state = BankState.from_scenario(make_scenario(required_state=requirements))
    assert len(state.check_requirements(requirements)) == 2
    state.lock_card("CARD-A1")
    assert state.check_requirements(requirements) == ["replacement(CARD-A1)=true"]
    state.replace_card("CARD-A1", "lost")  # closes the old card: still counts as locked
    assert state.check_requirements(requirements) == []
    assert state.check_requirements([_req("replacement", "stolen", "CARD-A1")]) != []


def test_check_requirements_replace_without_explicit_lock_counts_as_locked(state: BankState) -> None:
    state.replace_card("CARD-A1", "stolen")
    assert state.check_requirements([_req("card_status", "locked", "CARD-A1")]) == []


def test_check_requirements_other_targets(state: BankState) -> None:
    requirements = [
        _req("autopay", "minimum"),
        _req("payment_scheduled", "minimum"),
        _req("travel_notice", "portugal"),
        _req("pin_reset", "true", "CARD-A2"),
        _req("card_status", "active", "CARD-A3"),
    ]
    assert len(state.check_requirements(requirements)) == len(requirements)
    state.set_autopay("minimum")
    state.schedule_payment(20, TODAY)  # below the $35 minimum
    state.add_travel_notice("Lisbon, Portugal", TODAY, TODAY + dt.timedelta(days=3))
    state.reset_pin("CARD-A1")  # the wrong card
    assert state.check_requirements(requirements) == [
        "payment_scheduled(-)=minimum",
        "pin_reset(CARD-A2)=true",
        "card_status(CARD-A3)=active",
    ]
    state.schedule_payment(35, TODAY)
    state.reset_pin("CARD-A2")
    state.activate_card("CARD-A3")
    assert state.check_requirements(requirements) == []
    assert state.check_requirements([_req("payment_scheduled", "20.00")]) == []
    assert state.check_requirements([_req("payment_scheduled", "21")]) != []
