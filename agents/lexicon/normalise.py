"""Spelling normalisation: one spelling for what people type, so that one pattern covers its variants.

`normalise` lower-cases a message, corrects one-keystroke typos of the key banking words and rewrites
contractions and common misspellings ("can't" -> "can not", "paymnet" -> "payment"); `fix_typos` corrects
the typos alone and leaves the rest as typed, capitals included, for the cues that read capitals.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from ccsim.agents.lexicon.deobfuscate import reads_backwards

# --------------------------------------------------------------------------------------------------
# Typo tolerance: a word one keystroke away from a key banking word ("crad", "cnrd", "paymnet", "charrge",
# "ponits") is read as that word, so every pattern that names the word also matches its misspellings.
# --------------------------------------------------------------------------------------------------

_WORD_RUN = re.compile(r"[a-z]{4,}")
# Real words one keystroke from a key word below: read as themselves, never "corrected" into it. Found by
# running the corrector over a large body of English text and by going through each key word's neighbours.
_REAL_WORDS = frozenset(
    {"cord", "cords", "curd", "curds", "cart", "carts", "care", "cares", "cars", "cads", "change", "changes",
     "changed", "changing", "chose", "clone", "cloned", "cloning", "ball", "bell", "bull", "boll", "mall", "maul",
     "mills", "males", "mules", "moles", "mines", "mikes", "mites", "mixes", "myles", "monkey", "mosey", "mouth",
     "want", "wept", "west", "wait", "whit", "wheat", "fund", "fiend", "fond", "fend", "dues", "dose", "doss",
     "dogs", "dots", "docs", "dies", "doles", "heap", "hemp", "hood", "hoed", "plea", "pleas", "parse", "purse",
     "passe", "fiends", "feds", "fens", "feeds", "feels", "frees", "foes", "fess", "brought", "spelt", "cheek",
     "chick", "chuck", "chock", "stare", "shore", "score", "stone", "stole", "stove", "stoke", "spore", "snore",
     "swore", "shoeing", "slowing", "snowing", "stowing", "shoved", "slowed", "snowed", "stowed", "thorough",
     "trough", "twine", "trice", "black", "brock", "bock", "looked", "licked", "lacked", "frieze", "prone", "pone",
     "phase", "wring", "wrung", "wong", "pasted", "potted", "pouted", "penning", "empire", "mauled", "maimed",
     "unblock", "doable", "anneal", "messing", "wording", "identify", "skipping", "shopping", "ported",
     "wont", "dont", "cant", "isnt", "didnt", "doesnt", "wasnt", "arent", "sent", "scent", "were", "though", "held",
     "prints", "paints", "pints", "regards", "debt", "demit", "charles", "monty", "emil", "mali", "speed",
     "speeding", "hate", "hive", "haze", "halve", "hove", "thus", "thin", "thins", "tis", "rout", "send", "sends",
     "sending", "sand", "hare", "hale", "rouge"}
)  # fmt: skip


def one_slip(typed: str, word: str) -> bool:
    """`typed` is `word` with one keystroke wrong (two neighbours swapped, a letter dropped, doubled, added or
    replaced), the first letter right."""
    return typed[:1] == word[:1] and _slip(typed, word) is not None


def _slip(typed: str, word: str) -> int | None:
    """How `typed` is one keystroke off `word`: 0 two neighbours swapped, 1 a letter dropped or doubled or
    added, 2 a letter replaced; None when it is not one keystroke off."""
    if typed == word or abs(len(typed) - len(word)) > 1:
        return None
    if len(typed) == len(word):
        diff = [i for i in range(len(typed)) if typed[i] != word[i]]
        if len(diff) == 1:
            return 2
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1
        return 0 if swapped and typed[diff[0]] == word[diff[1]] and typed[diff[1]] == word[diff[0]] else None
    short, long = (typed, word) if len(typed) < len(word) else (word, typed)
    i = next((k for k in range(len(short)) if short[k] != long[k]), len(short))
    return 1 if short[i:] == long[i + 1 :] else None


def fix_typos(text: str) -> str:
    """The text with misspelt key words corrected and everything else, case included, left as typed."""

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if reads_backwards(word):
            return word  # "dnes" is "send" written backwards, no slip of "does": the instruction filter reads it
        corrected = correct_typo(word.lower())
        return word if corrected == word.lower() else corrected

    return _ANY_CASE_WORD_RUN.sub(fix, text)


_ANY_CASE_WORD_RUN = re.compile(r"[A-Za-z]{4,}")


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))} | {word}


# The words whose misspelling changes a route. A short list on purpose: one keystroke from a long list of
# words lands on too many real ones ("float" is one slip from "flat", "node" from "note").
_TYPO_VOCABULARY: frozenset[str] = frozenset(
    {"card", "cards", "account", "accounts", "payment", "payments", "charge", "charges", "charged", "charging",
     "transaction", "transactions", "transfer", "transfers", "statement", "statements", "balance", "purchase",
     "purchases", "purchased", "refund", "refunded", "fraud", "fraudulent", "dispute", "credit", "debit", "limit",
     "interest", "rewards", "points", "miles", "cashback", "deposit", "deposited", "withdrawal", "withdraw",
     "pending", "posted", "declined", "decline", "activate", "activated", "replacement", "replace", "delivery",
     "delivered", "arrived", "arrive", "received", "receive", "stolen", "recognise", "recognize", "unauthorized",
     "cancel", "cancelled", "canceled", "subscription", "merchant", "minimum", "autopay", "overdue", "afford",
     "hardship", "collections", "close", "closed", "closing", "travel", "traveling", "travelling", "abroad",
     "vacation", "overseas", "expired", "expire", "expiring", "damaged", "broken", "swallowed", "locked", "freeze",
     "frozen", "unlock", "block", "blocked", "twice", "double", "overcharged", "wrong", "amount", "money", "bill",
     "paid", "what", "where", "weird", "strange", "month", "work", "working", "fees", "annual", "foreign",
     "exchange", "finance", "available", "address", "phone", "email", "contactless", "wallet", "missing", "store",
     "identity", "hacked", "phishing", "suspicious", "notice", "expedite", "shipping", "mailed", "mail", "went",
     "find", "does", "help", "please", "pause", "hold", "showing", "showed", "through", "check", "spent", "bought",
     "spend", "spending", "have", "system", "route", "this"}
)  # fmt: skip


def _delete_index(vocabulary: frozenset[str]) -> Mapping[str, frozenset[str]]:
    """Each word and each of its one-letter deletions -> the vocabulary words it comes from."""
    index: dict[str, set[str]] = {}
    for word in vocabulary:
        for variant in _deletes(word):
            index.setdefault(variant, set()).add(word)
    return MappingProxyType({variant: frozenset(words) for variant, words in index.items()})


_DELETE_INDEX = _delete_index(_TYPO_VOCABULARY)


@lru_cache(maxsize=16384)
def correct_typo(token: str) -> str:
    """The pattern word `token` is one keystroke away from, or `token` itself.

    Only a slip inside the word counts (the same first letter, and the same last letter unless the last two
    were swapped, as with almost all real typos) and a real word is never changed. Swaps are likelier than
    dropped or doubled letters, which are likelier than a wrong key; a tie within the likeliest kind is left
    alone rather than guessed ("wnat": want or what?).
    """
    if len(token) < 4 or token in _TYPO_VOCABULARY or token in _REAL_WORDS:
        return token
    best: dict[int, set[str]] = {}
    for variant in _deletes(token):
        for word in _DELETE_INDEX.get(variant, ()):
            kind = _slip(token, word) if word[0] == token[0] else None
            if kind is not None and (word[-1] == token[-1] or kind == 0):
                best.setdefault(kind, set()).add(word)
    if not best:
        return token
    likeliest = best[min(best)]
    return next(iter(likeliest)) if len(likeliest) == 1 else token


# --------------------------------------------------------------------------------------------------
# Text normalisation: contractions and common misspellings, so one pattern covers what people type.
# --------------------------------------------------------------------------------------------------

_REWRITES: tuple[tuple[str, str], ...] = (
    (r"[’‘`´]", "'"),
    (r"\b(can'?t|cannot)\b", "can not"),
    (r"\bwon'?t\b", "will not"),
    (r"\b(do|did|does|is|was|were|have|has|had|are|could|would|should|must)n'?t\b", r"\1 not"),
    (r"\bi'?m\b", "i am"),
    (r"\bi'?ve\b", "i have"),
    (r"\bi'd\b", "i would"),
    (r"\bit's\b", "it is"),
    (r"\b(there|what|that|where|who|how|when|here)'?s\b", r"\1 is"),
    (r"\bno idea\b|\bnot sure\b|\bunclear\b", "unsure"),
    (r"\bdo not know (why|how|if|whether|when|what to do|what i should)\b", r"unsure \1"),
    (r"\b(pls|plz|plse)\b", "please"),
    (r"\bu\b", "you"),
    (r"\bur\b", "your"),
    (r"\bthru\b", "through"),
    (r"\btho\b", "though"),
    (r"\baltho\b", "although"),
    (r"\b(re[ck]ie?ve|recieve|receve)(d?)\b", r"receive\2"),
    (r"\b(reco?n?gni[sz]e|reconi[sz]e|recogni[cz]e|regogni[sz]e|recogise|recongi[sz]e)(d?)\b", r"recognise\2"),
    (r"\b(acc?ou?nt|acct|accout|accnt)\b", "account"),
    (r"\b(pay?me?nt|paymnet|payemnt|pyment|paymant)(s?)\b", r"payment\2"),
    (r"\b(tran?s?fer|trasnfer|tranfer)(s?|red)\b", r"transfer\2"),
    (r"\b(transac?tion|transcation|trasaction|transacton)(s?)\b", r"transaction\2"),
    (r"\bwith?dra[wv]?[ae]?l\b", "withdrawal"),
    (r"\b(statment|statemnt)(s?)\b", r"statement\2"),
    # Shorthand for a payment: "pmt from yesterday show up?"
    (r"\b(pmt|pymt|pmnt|pymnt|paymt)(s?)\b", r"payment\2"),
    (r"\b(balence|ballance|balanse)\b", "balance"),
    (r"\bfraudul[ae]nt\b", "fraudulent"),
    (r"\bun?a?uth?ori[sz]ed\b", "unauthorized"),
    (r"\b(adress|addres)\b", "address"),
    (r"\bcancell?(ed|ing)\b", r"cancel\1"),
    (r"\bcharg(ed|es|ing)?d\b", r"charg\1"),
    (r"\bteh\b", "the"),
    # Too short for the typo corrector, but unmistakable before a card or bill.
    (r"\b(crd|cdr|crad)\b", "card"),
    (r"\bpad (my|the|it|off|that|this|a)\b", r"paid \1"),
    (r"\b(i'll|ill(?= (be|need|have|pay|call|send|make|get|go|travel)\b))\b", "i will"),
    (r"\bhow'?s\b", "how is"),
    (r"\btxt\b", "text"),
    (r"\b(wat|wht|whta)\b", "what"),
    (r"\b(my|the|your|this|a|new) (cad|crd|cdr)\b", r"\1 card"),
    (r"\blet (my|the) (card|wallet|purse|phone|bag) (at|in|on|behind)\b", r"left \1 \2 \3"),
)
_COMPILED_REWRITES = tuple((re.compile(p), r) for p, r in _REWRITES)
_BLANKS = re.compile(r"[ \t]+")


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Lower-case the text, fix one-keystroke typos of the key words, and rewrite contractions and
    common misspellings into one spelling (cached: every planner turn re-reads the earlier customer turns)."""
    out = _WORD_RUN.sub(lambda m: correct_typo(m.group(0)), text.lower())
    for pattern, replacement in _COMPILED_REWRITES:
        out = pattern.sub(replacement, out)
    return _BLANKS.sub(" ", out)
