"""The pattern table: shipped as package data, validated, and compiled once per process."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from ccsim.agents.lexicon.evidence import DESCRIPTOR, LOST_CARD, MAKE_PAYMENT, NOT_RECOGNISED, PENDING
from ccsim.agents.lexicon.patterns import PatternTable, issue_patterns, pattern_table, required_anchors
from ccsim.contact_center.taxonomy import Route
from tests.check_sets import load_check_set


def test_every_route_has_patterns_and_every_pattern_compiles() -> None:
    table = pattern_table()
    assert set(table.routes) == set(Route)
    patterns = issue_patterns()
    assert len(patterns) == sum(len(p) for issues in table.routes.values() for p in issues.values())
    assert all(isinstance(p.regex, re.Pattern) and p.weight > 0 for p in patterns)


def test_fragments_are_expanded_and_pieces_joined() -> None:
    assert not any("{" + name + "}" in p.regex.pattern for p in issue_patterns() for name in pattern_table().fragments)
    table = PatternTable.model_validate(
        {"fragments": {"CARD": "(?:card|plastic)"}, "routes": {"card_services": {"x": [[2, r"\block ", r"{CARD}\b"]]}}}
    )
    assert table.routes[Route.CARD_SERVICES]["x"] == [(2.0, r"\block {CARD}\b")]
    assert table.expand(r"\block {CARD}\b") == r"\block (?:card|plastic)\b"


@pytest.mark.parametrize(
    "routes",
    [
        {"card_services": {"x": [[2, "{UNDEFINED}"]]}},  # a fragment nobody defined
        {"card_services": {"x": [[0, "card"]]}},  # a weight that adds no evidence
        {"pizza": {"x": [[2, "card"]]}},  # no such route
    ],
)
def test_a_malformed_table_is_refused(routes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PatternTable.model_validate({"fragments": {}, "routes": routes})


def test_the_table_is_read_and_compiled_once() -> None:
    assert pattern_table() is pattern_table()
    assert issue_patterns() is issue_patterns()


def test_the_issues_the_code_names_are_in_the_table() -> None:
    # The policy's rules refer to these issues by label: renaming one in the table alone would silently
    # switch off the rule that reads it.
    labels = {(route, issue) for route, issues in pattern_table().routes.items() for issue in issues}
    assert {NOT_RECOGNISED, LOST_CARD, DESCRIPTOR, PENDING, MAKE_PAYMENT} <= labels


def test_required_anchors_name_what_every_match_contains() -> None:
    assert required_anchors(re.compile(r"\bnot recognised?\b|\bunrecognised\b")) == frozenset(
        {"not recognise", "unrecognised"}
    )
    assert required_anchors(re.compile(r"\b(lost|stolen) (my )?card\b")) == frozenset({"card"})
    # An optional part names nothing for sure, nor does a branch with an empty alternative.
    assert required_anchors(re.compile(r"(abc)?\d+")) is None
    assert required_anchors(re.compile(r"(abc|)\d+")) is None
    # Case-insensitive matching is not literal: no anchors rather than wrong ones.
    assert required_anchors(re.compile(r"card", re.IGNORECASE)) is None


def test_a_text_without_a_patterns_anchors_never_matches_it() -> None:
    texts = [s.opening_message.lower() for name in ("holdout", "realistic", "registers") for s in load_check_set(name)]
    anchored = [p for p in issue_patterns() if p.anchors is not None]
    assert len(anchored) > 0.9 * len(issue_patterns())  # the prefilter must be worth having
    for pattern in anchored:
        for text in texts:
            if pattern.regex.search(text):
                assert any(anchor in text for anchor in pattern.anchors or ()), (pattern.regex.pattern, text)
