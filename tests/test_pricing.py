"""Prices: the project's table overrides litellm's model cost map; unknown models are named, not priced at $0."""

from __future__ import annotations

import sys

import pytest

from ccsim.contact_center.episode import TokenUsage
from ccsim.contact_center.pricing import ModelPrice, PriceTable, litellm_model_cost
from ccsim.contact_center.report import cost_cell
from ccsim.contact_center.summary import summarize
from ccsim.contact_center.taxonomy import Route
from tests.episode_factory import make_episode

MTOK = TokenUsage(prompt_tokens=1_000_000, completion_tokens=1_000_000)


def test_hosted_models_are_priced_from_litellms_map_without_importing_litellm() -> None:
    table = PriceTable(prices={})
    entry = litellm_model_cost()["gpt-4o-mini"]
    expected = (entry["input_cost_per_token"] + entry["output_cost_per_token"]) * 1_000_000
    assert table.cost({"gpt-4o-mini": MTOK}) == pytest.approx(expected)
    # Provider prefixes and date suffixes resolve to the same entry.
    assert table.cost({"openai/gpt-4o-mini-2024-07-18": MTOK}) == pytest.approx(expected)
    assert table.unpriced({"gpt-4o-mini": MTOK}) == []
    if "litellm" not in sys.modules:  # another test may have imported it; reading the map must not
        assert "litellm" not in sys.modules


def test_the_projects_table_overrides_litellm() -> None:
    table = PriceTable(prices={"gpt-4o-mini": ModelPrice(input_per_mtok=1.0, output_per_mtok=2.0)})
    assert table.cost({"gpt-4o-mini": MTOK}) == pytest.approx(3.0)
    assert PriceTable().price("Qwen/Qwen3-14B") == ModelPrice(input_per_mtok=0.06, output_per_mtok=0.24)


def test_unknown_models_are_unpriced_and_models_without_tokens_are_free() -> None:
    table = PriceTable()
    usage = {"my-local-model": MTOK, "gpt-4o-mini": MTOK, "rules": TokenUsage()}
    assert table.unpriced(usage) == ["my-local-model"]
    assert table.cost({"my-local-model": MTOK}) == 0.0
    assert table.unpriced({"rules": TokenUsage()}) == []
    assert PriceTable(use_litellm=False).unpriced({"gpt-4o-mini": MTOK}) == ["gpt-4o-mini"]


def test_a_run_with_an_unpriced_model_says_price_unknown() -> None:
    episode = make_episode("s1", Route.FRAUD, Route.FRAUD, cost_usd=0.0)
    assert episode.metrics is not None
    priced = summarize("rules", [episode])
    assert cost_cell(priced) == "0.0000"
    unknown = episode.model_copy(
        update={"metrics": episode.metrics.model_copy(update={"unpriced_models": ["my-local-model"]})}
    )
    summary = summarize("openai:my-local-model", [unknown])
    assert summary.unpriced_models == ["my-local-model"]
    assert cost_cell(summary) == "price unknown (my-local-model)"
