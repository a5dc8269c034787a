from __future__ import annotations

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
