"""Persona typing habits applied to an opening message: lowercase, dropped apostrophes and punctuation,
chat shorthand, run-ons and the occasional typo. Deterministic for a given random.Random.
"""

from __future__ import annotations

import random
import re
import string

from ccsim.contact_center.models import Persona

_SHORTHAND: dict[str, tuple[str, ...]] = {
    "you": ("u",),
    "your": ("ur",),
    "please": ("pls", "plz"),
    "because": ("bc", "cuz", "cause"),
    "though": ("tho",),
    "really": ("rly",),
    "don't know": ("dunno", "idk"),
    "right now": ("rn",),
    "account": ("acct",),
    "thanks": ("thx", "ty"),
    "going to": ("gonna",),
    "want to": ("wanna",),
    "tomorrow": ("tmrw",),
    "something": ("smth",),
}

_WORD = re.compile(r"[A-Za-z]{4,}")
_PROTECTED = re.compile(r"\d|\$|\*|#|\.[a-z]{2,3}\b")  # keep amounts, descriptors and card digits intact


def _typo(word: str, rng: random.Random) -> str:
    """One keyboard slip: swap, drop, double or hit a neighbouring key."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]


def add_typos(text: str, rng: random.Random, rate: float) -> str:
    """Misspell roughly `rate` of the longer words, never touching numbers or descriptors."""

    def maybe(match: re.Match[str]) -> str:
        return _typo(match.group(0), rng) if rng.random() < rate else match.group(0)

    return " ".join(maybe_word if _PROTECTED.search(maybe_word) else _WORD.sub(maybe, maybe_word)
                    for maybe_word in text.split(" "))  # fmt: skip


def casualise(text: str, rng: random.Random) -> str:
    """Lowercase start, dropped apostrophes, no final full stop."""
    if rng.random() < 0.7 and not text[:2].isupper():  # keep shouted words like "SYSTEM" intact
        text = text[:1].lower() + text[1:]
    if rng.random() < 0.6:
        text = re.sub(r"\bI\b", "i", text)
    if rng.random() < 0.5:
        text = re.sub(r"(\w)'(\w)", r"\1\2", text)
    if rng.random() < 0.6:
        text = text.rstrip(".")
    return text


def shorthand(text: str, rng: random.Random, rate: float) -> str:
    for long, shorts in _SHORTHAND.items():
        if long in text and rng.random() < rate:
            text = re.sub(rf"\b{re.escape(long)}\b", rng.choice(shorts), text, count=1)
    return text


def run_on(text: str, rng: random.Random) -> str:
    """Join sentences without punctuation, as people do in chat."""
    joiner = rng.choice((" ", " and ", " so ", ", "))
    return re.sub(r"[.!?]+\s+(\w)", lambda m: joiner + m.group(1).lower(), text)


def apply_typing(text: str, persona: Persona, rng: random.Random, *, intensity: float = 1.0) -> str:
    """Rewrite text with the persona's typing habits; intensity 0 leaves it untouched."""
    if intensity <= 0 or persona.typing == "clean":
        return text
    text = casualise(text, rng)
    text = shorthand(text, rng, 0.3 * intensity)
    if persona.typing == "sloppy":
        text = text.lower() if rng.random() < 0.6 * intensity else text
        if rng.random() < 0.7 * intensity:
            text = run_on(text, rng)
        text = add_typos(text, rng, 0.08 * intensity)
        if rng.random() < 0.2 * intensity:
            text = text.rstrip("?!.") + rng.choice(("??", "!!", "...", " ?"))
    return re.sub(r"\s{2,}", " ", text).strip()
