from __future__ import annotations

import pytest

from ccsim.tools.knowledge_base import KBArticle, KnowledgeBase, tokenize


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_articles_are_well_formed(kb: KnowledgeBase) -> None:
    ids = [a.id for a in kb.articles]
    assert 20 <= len(ids) <= 30
    assert len(set(ids)) == len(ids)
    assert all(a.title and a.body and a.tags for a in kb.articles)
    assert KnowledgeBase.load() is kb  # parsed once per process


def test_tokenize_lowercases_drops_stopwords_and_plurals() -> None:
    assert tokenize("What are the FEES for my Cards?") == ["fee", "card"]
    assert tokenize("policies process bonus") == ["policy", "process", "bonus"]


@pytest.mark.parametrize(
    ("query", "article_id"),
    [
        ("what's the late fee", "fee-late"),
        ("do you charge for using my card abroad", "fee-foreign-transaction"),
        ("how is interest calculated", "apr-interest-calculation"),
        ("is there an annual fee on this card", "fee-annual"),
        ("how much does a cash advance cost", "fee-cash-advance"),
        ("what does a balance transfer cost", "fee-balance-transfer"),
        ("do my points expire", "rewards-expiry"),
        ("can I get a higher credit limit", "eligibility-credit-limit-increase"),
        ("can I add my wife as an authorized user", "eligibility-authorized-users"),
        ("how do I add my card to apple pay", "howto-digital-wallet"),
        ("how do I set up automatic payments", "howto-autopay"),
        ("how do I avoid paying interest", "apr-grace-period"),
        ("my card was stolen what should I do", "howto-lost-card"),
        ("how do I dispute a charge", "howto-dispute"),
        ("what happens if my payment bounces", "fee-returned-payment"),
    ],
)
def test_search_finds_the_right_article(kb: KnowledgeBase, query: str, article_id: str) -> None:
    hits = kb.search(query, k=3)
    assert hits[0].id == article_id
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_search_edge_cases(kb: KnowledgeBase) -> None:
    assert kb.search("the and of", k=3) == []
    assert kb.search("late fee", k=0) == []
    assert len(kb.search("fee", k=5)) == 5
    assert kb.search("zzzqqq") == []


def test_ties_break_by_article_order() -> None:
    # BM25 gives no weight to a term in most documents, so the twins are a minority of the corpus.
    twins = [KBArticle(id=f"twin{i}", title="Fees", tags=("fee",), body="Identical text.") for i in (2, 1)]
    others = [KBArticle(id=f"other{i}", title="Rewards", tags=("points",), body="Points.") for i in range(3)]
    kb = KnowledgeBase([*others[:1], *twins, *others[1:]])
    hits = kb.search("fees", k=3)
    assert [h.id for h in hits] == ["twin2", "twin1"]
    assert hits[0].score == hits[1].score
