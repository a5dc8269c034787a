from __future__ import annotations

import json
from pathlib import Path

import pytest
from faker import Faker

from ccsim.contact_center.models import Scenario
from ccsim.contact_center.taxonomy import Route
from ccsim.scenarios import importer
from ccsim.scenarios.consistency import check_scenario
from ccsim.scenarios.generator import GenerationConfig, generate_scenarios
from ccsim.scenarios.importer import MinimalRecord, complete_record, import_scenarios, index_scenarios
from ccsim.scenarios.io import ScenarioFileError, dumps_scenario

MINIMAL = [
    {"id": "r1", "opening_message": "the atm ate my card", "expected_route": "card_services", "needs_human": False},
    {"id": "r2", "opening_message": "I was charged twice for the same thing", "expected_route": "disputes",
     "needs_human": True, "source": "my-notes"},
    {"id": "r3", "opening_message": "how do i activate my new card", "expected_route": "Card Services",
     "needs_human": "no", "intent": "activate_card"},
]  # fmt: skip


def test_complete_record_is_deterministic_and_consistent() -> None:
    record = MinimalRecord.model_validate(MINIMAL[1])
    first, second = complete_record(record, seed=1), complete_record(record, seed=1)
    assert dumps_scenario(first) == dumps_scenario(second)
    assert first.opening_message == MINIMAL[1]["opening_message"]
    assert first.template_id is None and first.source == "my-notes"
    assert first.expected_route is Route.DISPUTES and first.intent in {
        "charged_twice", "wrong_amount", "refund_not_received", "item_not_delivered", "subscription_after_cancel"
    }  # fmt: skip
    assert check_scenario(first) == []


def test_shared_faker_changes_no_output(monkeypatch: pytest.MonkeyPatch) -> None:
    # The importer reuses one reseeded Faker per process; a fresh Faker("en_US") per record must give the same bytes.
    records = [MinimalRecord.model_validate(r) for r in MINIMAL]
    shared = [dumps_scenario(complete_record(r, seed=3)) for r in reversed(records)]
    monkeypatch.setattr(importer, "process_faker", lambda: Faker("en_US"))
    fresh = [dumps_scenario(complete_record(r, seed=3)) for r in reversed(records)]
    assert shared == fresh


def test_given_intent_is_used() -> None:
    scenario = complete_record(MinimalRecord.model_validate(MINIMAL[2]), seed=0)
    assert scenario.intent == "activate_card"
    assert scenario.customer.card(scenario.facts.card_id).status.value == "not_activated"


def test_import_minimal_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in MINIMAL) + "\n")
    result = import_scenarios(path)
    assert [s.id for s in result.scenarios] == ["r1", "r2", "r3"]
    assert result.scenarios[0].source == "mine.jsonl"
    assert all(check_scenario(s) == [] for s in result.scenarios)


def test_import_minimal_csv_with_bool_words(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "id,opening_message,expected_route,needs_human\n"
        "c1,why is there a fee on my account,knowledge_base,FALSE\n"
        'c2,"I think someone stole my card details, help",fraud,yes\n'
        "c3,i cant afford my bill this month,hardship,1\n"
    )
    result = import_scenarios(path)
    assert [(s.id, s.needs_human) for s in result.scenarios] == [("c1", False), ("c2", True), ("c3", True)]


def test_contradicting_needs_human_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,opening_message,expected_route,needs_human\nc1,whats my balance,account_services,true\n")
    with pytest.raises(ScenarioFileError, match=r"bad\.csv, line 2: .*needs_human=true contradicts"):
        import_scenarios(path)
    result = import_scenarios(path, skip_invalid=True)
    assert result.scenarios == [] and result.problems[0][0] == 2


def test_full_scenarios_pass_through(tmp_path: Path) -> None:
    full = generate_scenarios(GenerationConfig(count=3, seed=2))
    path = tmp_path / "full.jsonl"
    path.write_text("\n".join([*(dumps_scenario(s) for s in full), json.dumps(MINIMAL[0])]) + "\n")
    result = import_scenarios(path)
    assert [dumps_scenario(s) for s in result.scenarios[:3]] == [dumps_scenario(s) for s in full]
    assert isinstance(result.scenarios[3], Scenario)


def test_unknown_route_in_minimal_record(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({**MINIMAL[0], "expected_route": "billing"}) + "\n")
    with pytest.raises(ScenarioFileError, match=r"line 1: .*unknown route 'billing'"):
        import_scenarios(path)


def test_lazy_index_completes_minimal_records_the_same_way(tmp_path: Path) -> None:
    full = generate_scenarios(GenerationConfig(count=2, seed=4))
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join([dumps_scenario(full[0]), *(json.dumps(r) for r in MINIMAL), dumps_scenario(full[1])]))
    lazy = index_scenarios(path, seed=3)
    eager = import_scenarios(path, seed=3).scenarios
    assert [dumps_scenario(s) for s in lazy] == [dumps_scenario(s) for s in eager]
    assert lazy[1].source == "mixed.jsonl" and lazy[4] == full[1]
