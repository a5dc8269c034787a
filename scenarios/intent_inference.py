"""Which catalog intent an imported utterance is about, among the intents of its route (issue 12).

A minimal record names only the route. Giving it a random intent of that route lets the scripted customer
contradict its own opening ("what's my minimum payment" answered with "how many rewards points I have").
Here the words of the opening are compared with each candidate intent's catalog phrasings and description:
a word counts by how few of the route's intents use it (a word every intent of the route uses tells them
apart no better than chance). The best intent is kept only when it clearly beats the runner-up; otherwise
the answer is None and the importer marks the facts unknown.

This lives in `scenarios` and reads only the catalog: it does not use the rules planner's vocabulary, so an
imported check set does not reward the rules for agreeing with themselves.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass

from ccsim.contact_center.taxonomy import Route
from ccsim.scenarios.catalog import Catalog, Intent, load_catalog

# The best intent must score at least this, and beat the runner-up by this factor.
MIN_SCORE = 1.5
MIN_MARGIN = 1.3

_WORD = re.compile(r"[a-z0-9']+")
_SLOT = re.compile(r"\{[a-z0-9_]+\}")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "im",
        "i'm",
        "my",
        "me",
        "we",
        "our",
        "you",
        "your",
        "u",
        "it",
        "its",
        "it's",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "am",
        "do",
        "does",
        "did",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "from",
        "and",
        "or",
        "but",
        "so",
        "if",
        "this",
        "that",
        "these",
        "those",
        "there",
        "theres",
        "there's",
        "what",
        "whats",
        "how",
        "when",
        "why",
        "where",
        "who",
        "can",
        "could",
        "would",
        "will",
        "just",
        "please",
        "pls",
        "thanks",
        "thank",
        "hi",
        "hello",
        "hey",
        "need",
        "want",
        "like",
        "get",
        "got",
        "have",
        "has",
        "had",
        "not",
        "no",
        "yes",
        "with",
        "about",
        "as",
        "by",
        "up",
        "out",
        "any",
        "some",
        "all",
        "one",
        "again",
        "still",
    ]
)


def _stem(word: str) -> str:
    word = word.replace("'", "")
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def words(text: str) -> set[str]:
    """Content words of a text, lower-cased and crudely stemmed; catalog slots are dropped."""
    tokens = [_stem(w) for w in _WORD.findall(_SLOT.sub(" ", text.lower()))]
    unigrams = {t for t in tokens if t not in _STOP and len(t) > 1}
    bigrams = {f"{a} {b}" for a, b in itertools.pairwise(tokens) if a not in _STOP or b not in _STOP}
    return unigrams | bigrams


@dataclass(frozen=True)
class _RouteIndex:
    intents: tuple[str, ...]
    vocab: tuple[frozenset[str], ...]
    weight: dict[str, float]


def _intent_words(intent: Intent) -> frozenset[str]:
    texts = [*intent.easy, *intent.medium, intent.summary, intent.description]
    return frozenset().union(*(words(t) for t in texts))


_INDEXES: dict[tuple[int, Route], tuple[Catalog, _RouteIndex]] = {}


def _index(catalog: Catalog, route: Route) -> _RouteIndex:
    # Keyed by the catalog object (kept alive in the value, so its id is not reused): load_catalog() is one object.
    cached = _INDEXES.get((id(catalog), route))
    if cached is not None:
        return cached[1]
    intents = sorted(catalog.by_route(route), key=lambda i: i.name)
    vocab = tuple(_intent_words(i) for i in intents)
    df = Counter(w for v in vocab for w in v)
    weight = {w: math.log((1 + len(intents)) / n) for w, n in df.items()}
    index = _RouteIndex(tuple(i.name for i in intents), vocab, weight)
    _INDEXES[(id(catalog), route)] = (catalog, index)
    return index


def intent_scores(text: str, route: Route, catalog: Catalog | None = None) -> dict[str, float]:
    """Score of each intent of `route` for `text` (higher: the text uses more of that intent's own words)."""
    index = _index(catalog or load_catalog(), route)
    found = words(text)
    return {
        name: sum(index.weight[w] for w in found & vocab)
        for name, vocab in zip(index.intents, index.vocab, strict=True)
    }


def infer_intent(text: str, route: Route, catalog: Catalog | None = None) -> str | None:
    """The intent of `route` the text is clearly about, or None when the words do not decide it."""
    scores = intent_scores(text, route, catalog)
    if len(scores) == 1:
        return next(iter(scores))
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    (best, top), (_, second) = ranked[0], ranked[1]
    if top >= MIN_SCORE and top >= MIN_MARGIN * second:
        return best
    return None
