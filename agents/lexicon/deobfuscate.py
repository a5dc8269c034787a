"""Undo the disguises an instruction aimed at the system hides behind, so that it reads as plain words.

`reveal` is for recognising instructions only (agents.lexicon.instructions): the planner itself reads the
customer's text as typed. It folds look-alike letters, letters turned upside down and accents, drops invisible
characters, and joins s-p-a-c-e-d, d.o.t.t.e.d and l33t-spelt words; `decoded_blobs` reads base64-looking runs a
customer would never type as prose.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from functools import lru_cache

# Zero-width and direction marks: invisible, so they can split a keyword without changing how it looks.
_INVISIBLE = re.compile("[\u00ad\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Cyrillic and Greek letters drawn like Latin ones ("ѕуѕtеm"); NFKC already folds full-width and styled letters.
_HOMOGLYPHS = str.maketrans(
    {
        # Cyrillic
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
        "ԁ": "d", "һ": "h", "ӏ": "l", "к": "k", "м": "m", "т": "t", "н": "h", "в": "b", "А": "A", "В": "B",
        "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X", "У": "Y",
        "Ѕ": "S", "І": "I", "Ј": "J",
        # Greek
        "α": "a", "ε": "e", "ο": "o", "ρ": "p", "ι": "i", "κ": "k", "ν": "v", "τ": "t", "υ": "u", "χ": "x",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
        "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        # Latin small capitals, which NFKC leaves as they are ("ꜱᴇɴᴅ ᴛᴏ")
        "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j", "ᴋ": "k",
        "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w",
        "ʏ": "y", "ᴢ": "z",
    }
)  # fmt: skip
# Letters turned upside down ("ʇɹɐusɟǝɹ ʇo"): the IPA and small-capital letters that draw them. In a word that has
# one, the Latin letters that are each other turned over (u/n, p/d, b/q) are turned back too.
_FLIPPED = str.maketrans(
    {"ɐ": "a", "ɔ": "c", "ǝ": "e", "ɟ": "f", "ƃ": "g", "ɥ": "h", "ᴉ": "i", "ı": "i", "ɾ": "j", "ʞ": "k", "ɯ": "m",
     "ɹ": "r", "ʇ": "t", "ʌ": "v", "ʍ": "w", "ʎ": "y", "∀": "A", "Ǝ": "E", "Ⅎ": "F", "⅁": "G", "ſ": "J", "˥": "L",
     "Ԁ": "P", "┴": "T", "∩": "U", "Λ": "V", "⅄": "Y"}
)  # fmt: skip
_TURNED_OVER = str.maketrans({"u": "n", "n": "u", "p": "d", "d": "p", "b": "q", "q": "b"})
_FLIPPED_WORD = re.compile(r"\S*[ɐɔǝɟƃɥᴉɾʞɯɹʇʌʍʎ∀ƎℲ⅁ſ˥Ԁ┴∩Λ⅄]\S*")


# Latin letters run straight into Chinese, Japanese or Korean ("Card servicesに繋いで"): a word boundary the
# patterns need, which the scripts' own letters (word characters too) would hide.
_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
_SCRIPT_SWITCH = re.compile(f"(?<=[A-Za-z])(?=[{_CJK}])|(?<=[{_CJK}])(?=[A-Za-z])")


def _unflip(match: re.Match[str]) -> str:
    return match.group(0).translate(_TURNED_OVER).translate(_FLIPPED)


_LEET = str.maketrans({"4": "a", "@": "a", "3": "e", "1": "i", "!": "i", "0": "o", "5": "s", "$": "s", "7": "t"})
_LEET_TOKEN = re.compile(r"[a-z@$]*[0-9@$][a-z0-9@$!]*[a-z][a-z0-9@$!]*|[a-z]+[0-9@$][a-z0-9@$!]*", re.IGNORECASE)
# s-y-s-t-e-m, R.O.U.T.E, t_r_a_n_s_f_e_r: single letters joined by one separator.
_JOINED_LETTERS = re.compile(r"(?<![a-z])(?:[a-z][-._*~+/\\]){1,}[a-z](?![a-z])", re.IGNORECASE)
_JOINERS = re.compile(r"[-._*~+/\\]")
# The same with spaces around each joiner ("r - o - u - t - e    t - o"): read only to match instructions.
_SPACED_JOINED = re.compile(r"(?<![a-z])(?:[a-z] [-._*~+/\\] ){1,}[a-z](?![a-z])", re.IGNORECASE)
_SPACED_JOINERS = re.compile(r" [-._*~+/\\] ")
# "S E N D  T O": single letters one space apart, words two or more apart.
_SPACED_LETTERS = re.compile(r"(?<![a-z0-9])(?:[a-z] {1,4}){2,}[a-z](?![a-z0-9])", re.IGNORECASE)
_WORD_GAP = re.compile(r" {2,}")
# Chat shorthand for the routing words: "fwd 2 fraud", "xfer me".
_SHORTHAND = (
    (re.compile(r"\b(?:fwd|fw)\b", re.IGNORECASE), "forward"),
    (re.compile(r"\b(?:xfer|xfr|trnsfr|trf)\b", re.IGNORECASE), "transfer"),
    (re.compile(r"(?<=[a-z] )2(?= [a-z])", re.IGNORECASE), "to"),
    (re.compile(r"\b(?:pls|plz|plox)\b", re.IGNORECASE), "please"),
    (re.compile(r"\bu\b", re.IGNORECASE), "you"),
    (re.compile(r"\bdept\b", re.IGNORECASE), "department"),
)
_COMBINING = re.compile(r"[\u0300-\u036f]")
_BLANKS = re.compile(r"[ \t]+")
# A run of base64 with no spaces, long enough to hide a sentence.
_BLOB = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{12,}={0,2}(?![A-Za-z0-9+/=])")
_READABLE = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z0-9_.,:'\"=()-]+)+")


# Words an instruction spelt out letter by letter is made of: when the gaps between its words are lost
# ("r o u t e m e t o"), the letters are split back into them.
_SPELT_WORDS = frozenset(
    {"transfer", "route", "send", "forward", "escalate", "redirect", "deliver", "assign", "connect", "pass", "refer",
     "hand", "put", "through", "over", "along", "system", "admin", "note", "to", "me", "us", "this", "it", "the",
     "call", "now", "please", "case", "customer", "go", "goes", "is", "a"}
)  # fmt: skip
_LONGEST_SPELT = max(map(len, _SPELT_WORDS))


def _segment(letters: str) -> str:
    """The letters as words of _SPELT_WORDS with spaces between them, or as they are when they do not split so."""
    lower = letters.lower()
    best: list[list[str] | None] = [[]] + [None] * len(lower)
    for end in range(1, len(lower) + 1):
        for size in range(min(end, _LONGEST_SPELT), 0, -1):
            head = best[end - size]
            if head is not None and lower[end - size : end] in _SPELT_WORDS:
                best[end] = [*head, letters[end - size : end]]
                break
    words = best[-1]
    return " ".join(words) if words and len(words) > 1 else letters


def _join_spaced(match: re.Match[str]) -> str:
    return " ".join(_segment(word.replace(" ", "")) for word in _WORD_GAP.split(match.group(0)))


def fold(text: str) -> str:
    """NFKC, look-alike letters to Latin, accents dropped, invisible characters removed."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).translate(_HOMOGLYPHS)
    if text.isascii():
        return text
    text = _SCRIPT_SWITCH.sub(" ", _FLIPPED_WORD.sub(_unflip, text))
    return unicodedata.normalize("NFC", _COMBINING.sub("", unicodedata.normalize("NFD", text)))


@lru_cache(maxsize=16384)
def reveal(text: str) -> str:
    """The text with its disguises undone: the words an instruction hidden in it would read as (cached: the
    same pieces are checked again as an instruction is trimmed)."""
    out = fold(text).replace("_", " ").replace('"', " ").replace("'", " ")
    out = _SPACED_JOINED.sub(lambda m: _SPACED_JOINERS.sub("", m.group(0)), out)
    out = _JOINED_LETTERS.sub(lambda m: _JOINERS.sub("", m.group(0)), out)
    out = _SPACED_LETTERS.sub(_join_spaced, out)
    out = _LEET_TOKEN.sub(lambda m: m.group(0).translate(_LEET), out)
    for pattern, word in _SHORTHAND:
        out = pattern.sub(word, out)
    return _BLANKS.sub(" ", out)


def decoded_blobs(text: str) -> list[tuple[re.Match[str], str]]:
    """Each base64-looking run of the text that decodes to readable words, with those words."""
    found: list[tuple[re.Match[str], str]] = []
    for match in _BLOB.finditer(text):
        blob = match.group(0)
        if blob.isalpha() and (blob.islower() or blob.isupper()):
            continue  # one long word, not an encoding
        try:
            decoded = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if decoded.isprintable() and _READABLE.search(decoded):
            found.append((match, decoded))
    return found
