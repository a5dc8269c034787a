from __future__ import annotations

import pytest

from contact_center.taxonomy import ROUTES, Route
from scenarios.catalog import SLOTS, CatalogError, load_catalog, parse_catalog, template_slots


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
