"""Token prices for cost metrics: litellm's model cost map, overridden by the project's table and a JSON file.

Order of lookup for a model that used tokens: a JSON file given with `--prices`, then the project's
table below (models litellm does not list, or prices we set on purpose), then litellm's model cost map.
A model found nowhere is *unpriced*: its tokens are not added to `cost_usd`, and the model is named in
`EpisodeMetrics.unpriced_models`, so reports say "price unknown" instead of a false $0. Models that used
no tokens (the rules and built-in planners, the scripted players) cost nothing and are never looked up.

litellm's map is read lazily, only when a model is missing from the project's table: from
`litellm.model_cost` when litellm is already imported (with `LITELLM_LOCAL_MODEL_COST_MAP=True`, which
`ccsim.contact_center.observability` sets, so litellm never fetches a remote list), otherwise from the
same bundled JSON file litellm loads in that mode, without importing litellm (which costs seconds).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from ccsim.contact_center.episode import TokenUsage

LITELLM_COST_FILE = "model_prices_and_context_window_backup.json"


class ModelPrice(BaseModel):
    input_per_mtok: float = Field(ge=0, description="USD per million prompt tokens.")
    output_per_mtok: float = Field(ge=0, description="USD per million completion tokens.")


# The project's overrides, in USD per million tokens: open models as W&B Inference and similar hosts list
# them (litellm knows them only under a provider prefix). Hosted OpenAI models come from litellm's map.
DEFAULT_PRICES: dict[str, ModelPrice] = {
    "Qwen/Qwen3-14B": ModelPrice(input_per_mtok=0.06, output_per_mtok=0.24),
    "Qwen/Qwen2.5-14B-Instruct": ModelPrice(input_per_mtok=0.06, output_per_mtok=0.24),
    "meta-llama/Llama-3.1-8B-Instruct": ModelPrice(input_per_mtok=0.02, output_per_mtok=0.05),
}

_DATE_SUFFIX = re.compile(r"-\d{4}-\d{2}-\d{2}$")


@functools.cache
def litellm_model_cost() -> dict[str, Any]:
    """litellm's model cost map (model name -> {input_cost_per_token, output_cost_per_token, ...}); {} if absent."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    module = sys.modules.get("litellm")
    if module is not None and isinstance(getattr(module, "model_cost", None), dict):
        return dict(module.model_cost)
    spec = importlib.util.find_spec("litellm")  # finds the package without running its (slow) __init__
    if spec is None or not spec.submodule_search_locations:
        return {}
    for location in spec.submodule_search_locations:
        path = Path(location) / LITELLM_COST_FILE
        if path.is_file():
            loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return loaded
    return {}


def _litellm_price(name: str) -> ModelPrice | None:
    table = litellm_model_cost()
    for candidate in (name, _DATE_SUFFIX.sub("", name)):
        entry = table.get(candidate)
        if isinstance(entry, dict):
            prompt, completion = entry.get("input_cost_per_token"), entry.get("output_cost_per_token")
            if isinstance(prompt, int | float) and isinstance(completion, int | float):
                return ModelPrice(input_per_mtok=prompt * 1e6, output_per_mtok=completion * 1e6)
    return None


class PriceTable(BaseModel):
    prices: dict[str, ModelPrice] = Field(
        default_factory=lambda: dict(DEFAULT_PRICES), description="Overrides of litellm's prices, by model name."
    )
    use_litellm: bool = Field(default=True, description="Fall back to litellm's model cost map.")

    @classmethod
    def load(cls, path: Path | None) -> PriceTable:
        """Defaults, overridden by a JSON file {"model": {"input_per_mtok": x, "output_per_mtok": y}}."""
        table = cls()
        if path is not None:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
            table.prices.update({name: ModelPrice.model_validate(p) for name, p in raw.items()})
        return table

    def price(self, model: str) -> ModelPrice | None:
        """The model's price, or None when neither the table nor litellm knows it."""
        # Providers prefix or date-suffix names (openai/gpt-4.1-mini-2025-04-14); match the longest known stem.
        name = model.split("/", 1)[1] if model.startswith("openai/") else model
        if name in self.prices:
            return self.prices[name]
        stems = [known for known in self.prices if name.startswith(known)]
        if stems:
            return self.prices[max(stems, key=len)]
        if not self.use_litellm:
            return None
        return _litellm_price(model) or _litellm_price(name)

    def unpriced(self, usage_by_model: dict[str, TokenUsage]) -> list[str]:
        """Models that used tokens but have no known price, sorted."""
        return sorted(
            model
            for model, usage in usage_by_model.items()
            if usage.prompt_tokens + usage.completion_tokens > 0 and self.price(model) is None
        )

    def cost(self, usage_by_model: dict[str, TokenUsage]) -> float:
        """USD for the priced models only; `unpriced` names the rest."""
        total = 0.0
        for model, usage in usage_by_model.items():
            if usage.prompt_tokens + usage.completion_tokens == 0:
                continue
            price = self.price(model)
            if price is not None:
                total += usage.prompt_tokens * price.input_per_mtok + usage.completion_tokens * price.output_per_mtok
        return round(total / 1_000_000, 8)
