"""Optional LLM paraphrasing of opening messages in the customer's voice, over any OpenAI-compatible endpoint.

Rewrites are cached in a JSON file keyed by (model, seed, scenario id, original text), so a rerun is
reproducible and works offline. Every rewrite is checked to keep its route; a rejected rewrite keeps
the original text.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, ConfigDict, Field

from ccsim.contact_center.files import write_text_atomic
from ccsim.contact_center.models import Scenario
from ccsim.contact_center.taxonomy import Route
from ccsim.scenarios.catalog import Catalog, load_catalog
from ccsim.scenarios.consistency import LONG_NUMBER

# (original text, rewrite, expected route) -> keep the rewrite?
RouteChecker = Callable[[str, str, Route], bool]

_TOKEN = re.compile(r"[a-z']+")
_SLOT = re.compile(r"\{[a-z_0-9]+\}")
_STOPWORDS = frozenset(
    {"i", "a", "an", "the", "my", "me", "to", "and", "of", "is", "it", "on", "for", "in", "at", "was", "that",
     "this", "but", "so", "im", "i'm", "be", "do", "you", "can", "what", "how", "with", "have", "has", "just",
     "from", "they", "there", "not", "why", "are", "get", "got", "did", "it's", "its"}
)  # fmt: skip

SYSTEM_PROMPT = (
    "You rewrite a bank customer's first chat message to a credit-card contact center so it sounds like "
    "the same person typing it in their own words. Keep the same issue and every fact in it (merchant, "
    "amounts, dates, card digits); add no new issue, no greeting from the bank, no quotation marks. "
    "Customer persona: tone {tone}, verbosity {verbosity}, typing {typing}. "
    "Reply with the rewritten message only."
)


def _tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(_SLOT.sub(" ", text.lower())) if t not in _STOPWORDS and len(t) > 2]


class KeywordRouteClassifier:
    """A tiny naive-Bayes keyword classifier over the catalog's phrasings.

    It abstains (None) unless one route clearly leads, so it can only veto rewrites that drift to another
    issue, never judge subtle ones.
    """

    def __init__(self, catalog: Catalog | None = None, *, margin: float = 2.0) -> None:
        catalog = catalog or load_catalog()
        self.margin = margin
        counts: dict[Route, Counter[str]] = defaultdict(Counter)
        for intent in catalog.intents:
            for text in (*intent.easy, *intent.medium, intent.description):
                counts[intent.route].update(set(_tokens(text)))
        vocabulary = set().union(*counts.values())
        self._log_prob: dict[Route, dict[str, float]] = {}
        self._unseen: dict[Route, float] = {}
        for route, counter in counts.items():
            total = sum(counter.values()) + len(vocabulary)
            self._log_prob[route] = {t: math.log((counter[t] + 1) / total) for t in counter}
            self._unseen[route] = math.log(1 / total)
        self._vocabulary = vocabulary

    def scores(self, text: str) -> dict[Route, float]:
        tokens = [t for t in set(_tokens(text)) if t in self._vocabulary]
        return {
            route: sum(table.get(t, self._unseen[route]) for t in tokens) for route, table in self._log_prob.items()
        }

    def classify(self, text: str) -> Route | None:
        scores = self.scores(text)
        if not scores or all(s == 0 for s in scores.values()):
            return None
        ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < self.margin:
            return None
        return ranked[0][0]

    def __call__(self, original: str, rewrite: str, expected: Route) -> bool:
        """Keep the rewrite unless it clearly reads as another route than the original did."""
        got = self.classify(rewrite)
        return got is None or got == expected or got == self.classify(original)


class ParaphraseConfig(BaseModel):
    """Where and how to paraphrase. The API key is read from the named environment variable."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(description="Model name at the endpoint.")
    base_url: str | None = Field(default=None, description="OpenAI-compatible base URL; None = OpenAI.")
    api_key_env: str = Field(default="OPENAI_API_KEY", description="Environment variable holding the key.")
    temperature: float = Field(default=0.9, ge=0, le=2)
    seed: int = Field(default=0, description="Sent to the endpoint and part of the cache key.")
    cache_path: Path | None = Field(default=None, description="JSON cache file; None = no cache.")
    max_retries: int = Field(default=2, ge=0)
    timeout_s: float = Field(default=60.0, gt=0)


class ParaphraseReport(BaseModel):
    """What happened to each opening."""

    total: int = 0
    rewritten: int = Field(default=0, description="Openings replaced by a rewrite (fresh or cached).")
    from_cache: int = Field(default=0, description="Rewrites served from the cache.")
    rejected: int = Field(default=0, description="Rewrites that failed the route check; original kept.")
    failed: int = Field(default=0, description="Endpoint errors or empty replies; original kept.")
    rejected_ids: list[str] = Field(default_factory=list)


class Paraphraser:
    """Rewrites openings with a chat model; caches replies and vetoes rewrites that change the route."""

    def __init__(
        self,
        config: ParaphraseConfig,
        *,
        checker: RouteChecker | None = None,
        chat_model: ChatOpenAI | None = None,
    ) -> None:
        self.config = config
        self.checker: RouteChecker = checker or KeywordRouteClassifier()
        self.chat_model = chat_model or ChatOpenAI(
            model=config.model,
            base_url=config.base_url,
            api_key=os.environ.get(config.api_key_env) or "not-set",
            temperature=config.temperature,
            seed=config.seed,
            max_retries=config.max_retries,
            timeout=config.timeout_s,
        )
        self._cache: dict[str, str] = self._load_cache()

    def _load_cache(self) -> dict[str, str]:
        path = self.config.cache_path
        if path is None or not path.exists():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: paraphrase cache is not valid JSON: {exc.msg}") from None
        return {str(k): str(v) for k, v in data.items()}

    def save_cache(self) -> None:
        """Write the cache atomically (sorted keys, so the file itself is reproducible)."""
        path = self.config.cache_path
        if path is None:
            return
        write_text_atomic(path, json.dumps(self._cache, indent=1, sort_keys=True, ensure_ascii=False))

    def cache_key(self, scenario: Scenario) -> str:
        raw = json.dumps([self.config.model, self.config.seed, scenario.id, scenario.opening_message])
        return hashlib.sha256(raw.encode()).hexdigest()

    async def _ask(self, scenario: Scenario) -> str:
        persona = scenario.customer.profile.persona
        messages = [
            SystemMessage(SYSTEM_PROMPT.format(tone=persona.tone, verbosity=persona.verbosity, typing=persona.typing)),
            HumanMessage(scenario.opening_message),
        ]
        reply = await self.chat_model.ainvoke(messages)
        return str(reply.content).strip().strip('"').strip()

    async def rewrite(self, scenario: Scenario) -> tuple[str, str]:
        """(text to use, outcome) where outcome is 'rewritten', 'cached', 'rejected' or 'failed'."""
        key = self.cache_key(scenario)
        cached = key in self._cache
        if cached:
            text = self._cache[key]
        else:
            try:
                text = await self._ask(scenario)
            except Exception:  # any endpoint failure keeps the original; the report counts it
                return scenario.opening_message, "failed"
            if not text:
                return scenario.opening_message, "failed"
            self._cache[key] = text
        if LONG_NUMBER.search(text) or not self.checker(scenario.opening_message, text, scenario.expected_route):
            return scenario.opening_message, "rejected"
        return text, "cached" if cached else "rewritten"


# (openings done, total) after each one finishes.
ProgressCallback = Callable[[int, int], None]


async def paraphrase_scenarios(
    scenarios: Sequence[Scenario],
    paraphraser: Paraphraser,
    concurrency: int = 4,
    *,
    on_progress: ProgressCallback | None = None,
    save_every: int = 25,
) -> tuple[list[Scenario], ParaphraseReport]:
    """Rewrite every opening (at most `concurrency` requests in flight), keeping order.

    The cache is saved every `save_every` fresh rewrites and when the work ends or is interrupted (Ctrl-C,
    a crash), so a rerun asks the endpoint only for what is still missing.
    """
    semaphore = asyncio.Semaphore(max(1, concurrency))
    done = 0
    saved = len(paraphraser._cache)

    async def one(scenario: Scenario) -> tuple[str, str]:
        nonlocal done, saved
        async with semaphore:
            outcome = await paraphraser.rewrite(scenario)
        done += 1
        if len(paraphraser._cache) - saved >= max(1, save_every):
            paraphraser.save_cache()
            saved = len(paraphraser._cache)
        if on_progress is not None:
            on_progress(done, len(scenarios))
        return outcome

    try:
        outcomes = await asyncio.gather(*(one(s) for s in scenarios))
    finally:
        paraphraser.save_cache()
    report = ParaphraseReport(total=len(scenarios))
    result: list[Scenario] = []
    for scenario, (text, outcome) in zip(scenarios, outcomes, strict=True):
        if outcome in ("rewritten", "cached"):
            report.rewritten += 1
            report.from_cache += outcome == "cached"
            scenario = scenario.model_copy(
                update={"opening_message": text, "template_id": None, "tags": [*scenario.tags, "paraphrased"]}
            )
        elif outcome == "rejected":
            report.rejected += 1
            report.rejected_ids.append(scenario.id)
        else:
            report.failed += 1
        result.append(scenario)
    return result, report
