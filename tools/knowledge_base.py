"""The bank's knowledge base: policy and FAQ articles searched with BM25 (rank_bm25.BM25Okapi)."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

import yaml
from pydantic import BaseModel, ConfigDict, Field
from rank_bm25 import BM25Okapi

# Common English words that say nothing about which article a question is about.
_STOPWORD_TEXT = """
a an and are am as at be been but by can could do does did for from has have how i if in into is it its me my of
on or our so that the their them then there these they this to up us was we what whats when where which who why
will with would you your yours i'm it's i've don't
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Title and tags say what an article is about, so they count more than the body.
_TITLE_AND_TAG_WEIGHT = 2


class KBArticle(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="Stable article identifier.")
    title: str = Field(description="Article title.")
    tags: tuple[str, ...] = Field(description="Words and phrases customers use for this topic.")
    body: str = Field(description="The article text.")


class KBHit(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    body: str
    score: float


def _stem(token: str) -> str:
    """Light stemming: plurals only, so 'fees' and 'fee' meet without mangling 'process' or 'bonus'."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokenize(text: str) -> list[str]:
    """Lowercased word tokens without stopwords, lightly stemmed."""
    tokens = (t.replace("'", "") if t.endswith("'s") else t for t in _TOKEN.findall(text.lower()))
    return [_stem(t) for t in tokens if t not in _STOPWORDS]


class KnowledgeBase:
    """An immutable, searchable set of articles."""

    def __init__(self, articles: list[KBArticle]) -> None:
        if not articles:
            raise ValueError("a knowledge base needs at least one article")
        self.articles = tuple(articles)
        corpus = [
            tokenize(" ".join([a.title, *a.tags])) * _TITLE_AND_TAG_WEIGHT + tokenize(a.body) for a in self.articles
        ]
        self._bm25 = BM25Okapi(corpus)

    @classmethod
    @cache
    def load(cls) -> KnowledgeBase:
        """The bank's articles from tools/kb_articles.yaml, parsed once per process (they never change)."""
        raw = yaml.safe_load(files("ccsim.tools").joinpath("kb_articles.yaml").read_text(encoding="utf-8"))
        return cls([KBArticle.model_validate(item) for item in raw])

    def get(self, article_id: str) -> KBArticle | None:
        return next((a for a in self.articles if a.id == article_id), None)

    def search(self, query: str, k: int = 3) -> list[KBHit]:
        """The k best-matching articles with a positive score, best first; ties go to the earlier article."""
        if k < 1:
            return []
        terms = tokenize(query)
        if not terms:
            return []
        scores = self._bm25.get_scores(terms)
        ranked = sorted(range(len(self.articles)), key=lambda i: (-scores[i], i))
        return [
            KBHit(
                id=self.articles[i].id,
                title=self.articles[i].title,
                body=self.articles[i].body,
                score=round(float(scores[i]), 4),
            )
            for i in ranked[:k]
            if scores[i] > 0
        ]
