from __future__ import annotations

import pytest

from ccsim.contact_center.config import ModelSpecError, parse_model_spec


def test_specs_parse_into_kinds_and_endpoints() -> None:
    assert parse_model_spec("rules").kind == "rules"
    assert parse_model_spec("builtin:runs/train/best").path == "runs/train/best"
    spec = parse_model_spec("openai:gpt-4.1-mini")
    assert (spec.kind, spec.model, spec.base_url) == ("openai", "gpt-4.1-mini", None)


def test_art_step_names_keep_their_at_sign() -> None:
    spec = parse_model_spec("openai:ccsim-planner@12@http://localhost:8000/v1")
    assert (spec.model, spec.base_url) == ("ccsim-planner@12", "http://localhost:8000/v1")
    assert parse_model_spec("openai:ccsim-planner@12").model == "ccsim-planner@12"


def test_overrides_apply_and_labels_hold_no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_KEY", "sk-secret")
    spec = parse_model_spec("openai:m", base_url="http://x/v1", temperature=0.7, api_key_env="MY_KEY")
    assert (spec.base_url, spec.temperature, spec.api_key()) == ("http://x/v1", 0.7, "sk-secret")
    assert "sk-secret" not in spec.model_dump_json()


@pytest.mark.parametrize("bad", ["", "GPT 4!", "openai:", "builtin:", "rules:extra", "py:no_factory"])
def test_bad_specs_say_what_is_expected(bad: str) -> None:
    with pytest.raises(ModelSpecError, match=r"rules, scripted, builtin:PATH|needs a model name|needs MODULE:FACTORY"):
        parse_model_spec(bad)


def test_a_url_inside_the_spec_beats_the_general_base_url() -> None:
    spec = parse_model_spec("openai:m@http://own:1/v1", base_url="http://general/v1")
    assert spec.base_url == "http://own:1/v1"
    assert parse_model_spec("openai:m", base_url="http://general/v1").base_url == "http://general/v1"
