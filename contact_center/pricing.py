"""Token prices for cost metrics: defaults for common hosted models, editable with a JSON file."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from ccsim.contact_center.episode import TokenUsage


class ModelPrice(BaseModel):
    input_per_mtok: float = Field(ge=0, description="USD per million prompt tokens.")
    output_per_mtok: float = Field(ge=0, description="USD per million completion tokens.")


# List prices in USD per million tokens; local and deterministic policies cost nothing.
DEFAULT_PRICES: dict[str, ModelPrice] = {
    "gpt-4.1": ModelPrice(input_per_mtok=2.00, output_per_mtok=8.00),
    "gpt-4.1-mini": ModelPrice(input_per_mtok=0.40, output_per_mtok=1.60),
    "gpt-4.1-nano": ModelPrice(input_per_mtok=0.10, output_per_mtok=0.40),
    "gpt-4o": ModelPrice(input_per_mtok=2.50, output_per_mtok=10.00),
    "gpt-4o-mini": ModelPrice(input_per_mtok=0.15, output_per_mtok=0.60),
    "o4-mini": ModelPrice(input_per_mtok=1.10, output_per_mtok=4.40),
    "gpt-5": ModelPrice(input_per_mtok=1.25, output_per_mtok=10.00),
    "gpt-5-mini": ModelPrice(input_per_mtok=0.25, output_per_mtok=2.00),
    "gpt-5-nano": ModelPrice(input_per_mtok=0.05, output_per_mtok=0.40),
    "Qwen/Qwen3-14B": ModelPrice(input_per_mtok=0.06, output_per_mtok=0.24),
    "Qwen/Qwen2.5-14B-Instruct": ModelPrice(input_per_mtok=0.06, output_per_mtok=0.24),
    "meta-llama/Llama-3.1-8B-Instruct": ModelPrice(input_per_mtok=0.02, output_per_mtok=0.05),
}


class PriceTable(BaseModel):
    prices: dict[str, ModelPrice] = Field(default_factory=lambda: dict(DEFAULT_PRICES))

    @classmethod
    def load(cls, path: Path | None) -> PriceTable:
        """Defaults, overridden by a JSON file {"model": {"input_per_mtok": x, "output_per_mtok": y}}."""
        table = cls()
        if path is not None:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
            table.prices.update({name: ModelPrice.model_validate(p) for name, p in raw.items()})
        return table

    def price(self, model: str) -> ModelPrice | None:
        # Providers prefix or date-suffix names (openai/gpt-4.1-mini-2025-04-14); match the longest known stem.
        name = model.split("/", 1)[1] if model.startswith("openai/") else model
        if name in self.prices:
            return self.prices[name]
        stems = [known for known in self.prices if name.startswith(known)]
        return self.prices[max(stems, key=len)] if stems else None

    def cost(self, usage_by_model: dict[str, TokenUsage]) -> float:
        total = 0.0
        for model, usage in usage_by_model.items():
            price = self.price(model)
            if price is not None:
                total += usage.prompt_tokens * price.input_per_mtok + usage.completion_tokens * price.output_per_mtok
        return round(total / 1_000_000, 8)
