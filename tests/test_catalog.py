from __future__ import annotations

import re

import pytest

from ccsim.agents.questions import ClarifyingQuestion
from ccsim.contact_center.taxonomy import ROUTES, Route
from ccsim.scenarios.catalog import SLOTS, CatalogError, load_catalog, parse_catalog, template_slots


def test_catalog_covers_every_route_with_enough_intents() -> None:
    catalog = load_catalog()
    assert len(catalog.intents) >= 32
    for route in Route:
        assert len(catalog.by_route(route)) >= 3, route


def test_every_intent_has_many_phrasings_and_derived_needs_human() -> None:
    for intent in load_catalog().intents:
        assert len(intent.easy) + len(intent.medium) + len(intent.hard) >= 15, intent.name
        assert intent.needs_human == ROUTES[intent.route].needs_human
        for text in (*intent.easy, *intent.medium, *intent.hard):
            assert template_slots(text) <= SLOTS


def test_every_route_has_an_ambiguous_intent_with_its_deciding_fact() -> None:
    catalog = load_catalog()
    for route in Route:
        ambiguous = [i for i in catalog.by_route(route) if i.hard]
        assert ambiguous, route
        assert all(i.hard_fact for i in ambiguous)


def test_get_unknown_intent_raises() -> None:
    with pytest.raises(KeyError):
        load_catalog().get("no_such_intent")


def test_lost_card_requires_card_locked() -> None:
    targets = {(s.target, s.value) for s in load_catalog().get("lost_card").state}
    assert ("card_status", "locked") in targets


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("intents: [unclosed", "not valid YAML"),
        ("- just a list", "'intents'"),
        ("intents:\n  - name: x\n    route: nowhere\n", "invalid catalog"),
    ],
)
def test_bad_catalog_gives_clear_error(text: str, fragment: str) -> None:
    with pytest.raises(CatalogError, match=fragment):
        parse_catalog(text, origin="bad.yaml")


def test_unknown_slot_is_rejected() -> None:
    text = """
intents:
  - name: x
    route: fraud
    description: d
    setup: none
    summary: s
    easy: ["hello {nonsense}"]
    medium: ["hi"]
"""
    with pytest.raises(CatalogError, match="nonsense"):
        parse_catalog(text)


def test_families_share_openings_across_routes_and_cover_every_hard_intent() -> None:
    catalog = load_catalog()
    assert {f.name for f in catalog.families} >= {"weird_charge", "lost_card", "bill_trouble", "card_off"}
    for family in catalog.families:
        assert len({catalog.get(m).route for m in family.members}) >= 2, family.name
        assert 15 <= len(family.openings) <= 25, family.name
        assert family.question in {q.value for q in ClarifyingQuestion}
        for member in family.members:
            intent = catalog.get(member)
            assert intent.family == family.name and intent.hard == family.openings and intent.hard_fact
    # An intent-specific ambiguous phrasing would tell a learned planner the route from the wording.
    assert all(i.family for i in catalog.intents if i.hard)


_FAMILY_YAML = """
families:
  - name: fam
    description: d
    question: close_account
    members: [a, b]
    slots: {slots}
    openings: ["{opening}"]
intents:
  - name: a
    route: account_closure
    description: d
    setup: none
    summary: s
    hard_fact: wants_to_close
    easy: ["x"]
    medium: ["y"]{own_hard}
  - name: b
    route: {route_b}
    description: d
    setup: none
    summary: s
    hard_fact: wants_to_close
    easy: ["x"]
    medium: ["y"]
"""


def _family_catalog(**overrides: str) -> str:
    values = {"slots": "[last4]", "opening": "shut off card {last4}", "own_hard": "", "route_b": "card_services"}
    return _FAMILY_YAML.format(**{**values, **overrides})


def test_family_members_get_the_shared_openings() -> None:
    catalog = parse_catalog(_family_catalog())
    assert catalog.get("a").hard == catalog.get("b").hard == ["shut off card {last4}"]
    assert catalog.get("b").template_id("hard", 0) == "b.family.fam.00"


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"route_b": "account_closure"}, "two routes"),
        ({"slots": "[]"}, "every member can fill"),
        ({"own_hard": '\n    hard: ["my own"]'}, "move its hard phrasings"),
    ],
)
def test_bad_family_is_rejected(overrides: dict[str, str], fragment: str) -> None:
    with pytest.raises(CatalogError, match=fragment):
        parse_catalog(_family_catalog(**overrides))


def test_easy_phrasings_take_no_choices_and_groups_must_close() -> None:
    from ccsim.scenarios.catalog import Intent

    base = {"name": "x", "route": "knowledge_base", "description": "d", "setup": "none", "summary": "s"}
    with pytest.raises(ValueError, match="easy phrasings take no"):
        Intent.model_validate({**base, "easy": ["[[a|b]] fee"], "medium": ["m"]})
    with pytest.raises(ValueError, match="unbalanced"):
        Intent.model_validate({**base, "easy": ["e"], "medium": ["[[a|b fee"]})
    assert Intent.model_validate({**base, "easy": ["e"], "medium": ["[[a|b]] fee"]}).medium == ["[[a|b]] fee"]


# Issue 12 (part 1): topics real card customers raise, each under the route contact_center/routing_policy.md gives it.
TOPIC_HOMES = {
    "card_declined": "card_services",  # a card that does not work is the card's working order, like a damaged card
    "digital_wallet": "card_services",  # the policy's card_services: digital wallet
    "unlock_card": "card_services",  # lock or unlock
    "pin_help": "card_services",  # PIN, including a PIN blocked after wrong tries
    "atm_cash_not_dispensed": "disputes",  # rule 1: the customer made the withdrawal, the charge is wrong
    "atm_withdrawal_fraud": "fraud",  # rule 1: a withdrawal the customer did not make
    "foreign_transaction_fee": "knowledge_base",  # foreign fees and exchange rates
    "credit_limit_change": "account_services",  # rule 11: their own limit; how limits are set is a how_to_question
    "update_contact_details": "account_services",  # contact details
    "autopay_setup": "account_services",  # rule 9: autopay that did not run
    "fee_complaint": "knowledge_base",  # rule 9: interest and APR complaints too
    "close_account_bereavement": "account_closure",  # the joint holder wants the account closed
}


def test_issue_12_topics_have_a_home_under_their_policy_route() -> None:
    catalog = load_catalog()
    for name, route in TOPIC_HOMES.items():
        assert catalog.get(name).route == Route(route), name


def _first_choice(text: str) -> str:
    return re.sub(r"\[\[([^\[\]]*)\]\]", lambda m: m.group(1).split("|")[0], text)


def _longest_choice(text: str) -> str:
    return re.sub(r"\[\[([^\[\]]*)\]\]", lambda m: max(m.group(1).split("|"), key=len), text)


def test_every_intent_is_written_in_every_register_real_customers_use() -> None:
    """The learned planner generalises only as far as the wording reaches: each intent needs an app fragment, a
    story-length message, a complaint letter that is a [[a|b]] grammar, and a phrasing naming the bank, the
    product or the merchant."""
    for intent in load_catalog().intents:
        own = [*intent.easy, *intent.medium]
        assert any(len(_first_choice(t).split()) <= 8 for t in own), (intent.name, "fragment")
        assert any(len(_first_choice(t).split()) >= 18 for t in own), (intent.name, "story")
        letters = [t for t in intent.medium if "[[" in t and len(_longest_choice(t).split()) >= 25]
        assert any(_longest_choice(t).count(". ") >= 1 for t in letters), (intent.name, "complaint letter")
        assert any(re.search(r"\{(bank|product|merchant)\}", t) for t in own), (intent.name, "names")


def test_new_setups_are_known_and_new_intents_keep_the_shape_of_the_others() -> None:
    catalog = load_catalog()
    for name in TOPIC_HOMES:
        intent = catalog.get(name)
        assert intent.description and intent.summary and len(intent.easy) >= 7 and len(intent.medium) >= 8, name
        assert not any("[[" in t for t in intent.easy), name
    assert catalog.get("unlock_card").setup == "card_locked"
    assert {catalog.get(n).setup for n in ("atm_cash_not_dispensed", "atm_withdrawal_fraud")} == {
        "atm_not_dispensed",
        "atm_unknown",
    }
