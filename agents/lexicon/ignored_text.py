"""Text the routing policy sets aside before reading a message for evidence.

Injected instructions and bare demands for a human (policy rules 5 and 6) are removed from the raw text;
clauses about someone else's account (rule 8) are dropped from the normalised text, so such a clause gets
no details and no routing weight.
"""

from __future__ import annotations

import re

# --------------------------------------------------------------------------------------------------
# Injected instructions and bare demands for a human (rules 5 and 6).
# --------------------------------------------------------------------------------------------------

_DEPARTMENT = (
    r"(?:the\s+)?(?:fraud|disputes?|hardship|account[\s_]closure|closure|retention|collections|"
    r"card[\s_]services|account[\s_]services|transactions|knowledge[\s_]base|human|agent|"
    r"[a-z_]+\s+(?:department|team|queue|desk))\b"
)
_INJECTIONS: tuple[str, ...] = (
    # A role-tagged line: everything after the tag up to the end of the sentence.
    r"(?:^|(?<=[\s.!?;]))[\[<(]?\s*(?:system|assistant|developer|admin|administrator|operator|root|"
    r"instructions?|note to (?:the )?(?:ai|bot|agent|assistant|model|planner|router))\s*[\]>)]?\s*:"
    r"[^.!?\n]*[.!?\n]?",
    r"\b(?:please\s+)?(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}?"
    r"\b(?:instructions?|rules?|polic(?:y|ies)|prompts?|guidelines?|programming|directions?)\b[^.!?\n]*[.!?\n]?",
    r"\b(?:you\s+(?:must|should|will|are\s+(?:required|instructed))\s+)?(?:immediately\s+)?"
    r"(?:transfer|route|send|escalate|forward|connect|put|redirect|pass|classify|mark|label|flag)\s+"
    r"(?:me|this|this\s+(?:call|chat|conversation|ticket|case)|the\s+(?:call|chat|customer|case)|it|us)?\s*"
    r"(?:straight\s+|directly\s+|right\s+|now\s+)?(?:through\s+)?(?:to|as|into)\s+" + _DEPARTMENT + r"[^.!?\n]*",
    r"\byou are (?:now )?(?:a|an|in) [^.!?\n]*(?:mode|assistant|router|ai)\b[^.!?\n]*",
    # "Developer mode on", "SYSTEM PROMPT UPDATE": the framing of an injection, never an issue.
    r"\b(?:developer|dev|god|admin|debug|maintenance|test)\s+mode(?:\s+(?:on|enabled|activated))?\b[.!:]?",
    r"\bsystem\s+(?:prompt|override|message|update)(?:\s+(?:update|override))?\b\s*:?",
    # "Route: disputes", "department=fraud": a field-like label naming a destination (typos in the label too).
    r"\b[a-z]{3,12}\s*[:=]\s*" + _DEPARTMENT,
)
_HUMAN_DEMANDS: tuple[str, ...] = (
    r"\b(?:can|could|may)\s+i\s+(?:please\s+)?(?:speak|talk|chat)\s+(?:to|with)\s+(?:a|an|some|the)?\s*"
    r"(?:real|live|actual)?\s*(?:human(?:\s+being)?|person|agent|representative|rep|someone|somebody|"
    r"manager|supervisor|operator)\b",
    r"\b(?:i\s+)?(?:want|need|would like|wanna)\s+(?:to\s+)?(?:speak|talk|chat)?\s*(?:to|with)?\s*"
    r"(?:a|an|some)?\s*(?:real|live|actual)\s+(?:human(?:\s+being)?|person|agent|representative)\b",
    r"\b(?:i\s+)?(?:want|need|would like|wanna)\s+(?:to\s+)?(?:speak|talk|chat)\s+(?:to|with)\s+"
    r"(?:a|an|some|the)?\s*(?:human(?:\s+being)?|person|agent|representative|rep|someone|somebody|"
    r"manager|supervisor|operator)\b",
    r"\b(?:get|give|put|connect)\s+me\s+(?:to|through to|with)?\s*(?:a|an)?\s*(?:real\s+)?"
    r"(?:human|person|agent|representative|manager|supervisor)\b",
    r"\b(?:human|agent|representative|operator|person)\s+please\b",
    r"\b(?:are you|is this) (?:a )?(?:bot|robot|machine|human|real person)\b\??",
    r"\bno (?:bots?|robots?|machines?)\b",
)
_INJECTION_RES = tuple(re.compile(p, re.IGNORECASE) for p in _INJECTIONS)
_HUMAN_DEMAND_RES = tuple(re.compile(p, re.IGNORECASE) for p in _HUMAN_DEMANDS)
_WHITESPACE = re.compile(r"\s+")


# --------------------------------------------------------------------------------------------------
# Instructions aimed at the system, whatever their wording (rule 5).
#
# A message is read piece by piece (sentences, lines, clauses, bracketed or marked-up parts). A piece that
# names a destination (a route, a department, a queue) AND reads as an instruction to whoever routes the
# call is set aside. An instruction is recognised by what it does, not by a list of phrasings: it commands
# a routing verb towards a destination, addresses the machine, claims authority or a new policy, asserts
# which team is "right", fakes a transcript turn or a tool call, or is written in another language. The
# piece is checked after undoing common obfuscation (leetspeak, s-p-a-c-e-d or d.o.t.t.e.d letters, markup).
# --------------------------------------------------------------------------------------------------

_LEET = str.maketrans({"4": "a", "@": "a", "3": "e", "1": "i", "!": "i", "0": "o", "5": "s", "$": "s", "7": "t"})
_LEET_TOKEN = re.compile(r"[a-z@$]*[0-9@$][a-z0-9@$!]*[a-z][a-z0-9@$!]*|[a-z]+[0-9@$][a-z0-9@$!]*", re.IGNORECASE)
# s-y-s-t-e-m, R.O.U.T.E, t r a n s f e r: single letters joined by one separator (two spaces part words).
_JOINED_LETTERS = re.compile(r"(?<![a-z])(?:[a-z][-._*~]){1,}[a-z](?![a-z])", re.IGNORECASE)
_SPACED_LETTERS = re.compile(r"(?<![a-z])(?:[a-z] ){2,}[a-z](?![a-z])", re.IGNORECASE)
_PIECE_SPLIT = re.compile(r"(\n+|(?<=[.!?;,])\s+|\s+-{2,}\s+|\s+[-–—]\s+|[()\[\]{}<>|`]+)")
_ROUTE_WORDS = (
    r"fraud|disputes|dispute\s+(?:team|department|dept|desk|unit)|hardship|retention|closure|"
    r"account[\s_]+closure|card[\s_]+services|account[\s_]+services|transactions|knowledge[\s_]+base"
)
_DESTINATION = re.compile(
    r"\b(?:" + _ROUTE_WORDS + r")\b"
    r"|\b[a-z]+\s+(?:department|dept|team|queue|desk|unit|specialists)\b"
    r"|\b(?:human|live)\s+(?:agent|department|team|queue)\b",
    re.IGNORECASE,
)
_TARGETS = r"(?:to|into|as|with|for|towards|a|al|au|aux|an|zu|zum|zur|para|per|de|du|del|vers|nach|is|=|:)"
_COMMAND = re.compile(
    r"\b(?:transfer\w*|rout\w*|send\w*|sent|escalat\w*|forward\w*|connect\w*|redirect\w*|pass\w*|classif\w*|"
    r"assign\w*|hand\w*|direct\w*|dispatch\w*|delegat\w*|queue\w*|tag\w*|label\w*|mark\w*|flag\w*|choos\w*|"
    r"chose|pick\w*|select\w*|output\w*|put\w*|move\w*|go|goes|going|belongs?|handled|handle[sd]?|file[sd]?|"
    r"categori[sz]\w*|treat\w*|set)\b"
    r"(?:\W+\w+){0,5}?\W*" + _TARGETS + r"\W*(?:the\s+)?"
    r"(?:" + _ROUTE_WORDS + r"|\w+\s+(?:department|team|queue|desk))\b",
    re.IGNORECASE,
)
# "output route fraud", "destination is disputes", "target: hardship": a label or a choice naming a destination.
_LABELLED = re.compile(
    r"\b(?:route|routing|destination|department|dept|queue|target|output|choose|chose|pick|select|label|class|"
    r"category|answer)\W+(?:is\W+|should\W+be\W+|=\W*)?(?:the\W+)?(?:" + _ROUTE_WORDS + r")\b",
    re.IGNORECASE,
)
_INSTRUCTION_CUES = re.compile(
    r"\b(?:"
    # addressing the machine
    r"ai|a\.i|bot|chatbot|assistant|language\s+model|llm|gpt|model|system|router|routing|planner|classifier|"
    r"virtual\s+agent|algorithm|automated|whoever\s+(?:sorts|reads|routes|handles)|instructions?|instructing|"
    r"prompt|inst|im_start|im_end|"
    # authority and policy claims
    r"polic(?:y|ies)|rules?|guidelines?|compliance|directive|mandate|protocol|procedure|regulations?|"
    r"effective\s+immediately|from\s+now\s+on|from\s+here\s+on|supervisor|manager\s+said|authori[sz]ed|"
    r"admin\w*|developer|override|ignore|disregard|forget|"
    # assertions of where the call belongs
    r"(?:right|correct|proper|appropriate|only|valid|real|best)\s+(?:\w+\s+)?(?:team|department|dept|destination|"
    r"place|queue|route|people|desk)|destination|belongs?|handled\s+by|goes\s+to|trust\s+me|"
    # fake transcript turns and tool calls
    r"transfer_to_human|delegate|json|"
    # the game of pretending
    r"pretend|play\s+a\s+game|role\s*play|act\s+as|you\s+are\s+(?:now\s+)?a"
    r")\b"
    r"|\b(?:department|dept|route|destination|queue|team)\s*[:=]",
    re.IGNORECASE,
)
# Routing vocabulary of other languages: an instruction written in another language is never the issue.
_FOREIGN_CUES = re.compile(
    r"\b(?:transf[eé]r(?:ez|ieren|ir)|transférer|transfier\w*|trasferisc\w*|transfira|envi[aá]\w*|envoy\w*|enví\w*|inoltr\w*|"
    r"encaminh\w*|leite\w*|weiter\w*|verbinde\w*|redirig\w*|departamento|d[ée]partement|abteilung|reparto|"
    r"service|servicio|llamada|appel|anruf|chiamata|chamada|instrucci\w*|istruzion\w*|instru[cç][oõ]\w*|"
    r"anweisung\w*|asistente|assistente|sistema|syst[eè]me|ignorez|ignora|ignoriere|olvida|oubliez|vergiss|"
    r"precedentes|anteriores|vorherigen|ahora|maintenant|jetzt|subito|inmediatamente|imm[ée]diatement|sofort)\b",
    re.IGNORECASE,
)


def _deobfuscate(piece: str) -> str:
    text = piece.replace("_", " ").replace('"', " ").replace("'", " ")
    text = _JOINED_LETTERS.sub(lambda m: re.sub(r"[-._*~]", "", m.group(0)), text)
    text = _SPACED_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = _LEET_TOKEN.sub(lambda m: m.group(0).translate(_LEET), text)
    return _WHITESPACE.sub(" ", text)


def _has_cue(text: str) -> bool:
    """Words that address the machine, claim authority, or route in another language."""
    plain = _deobfuscate(text)
    return bool(_INSTRUCTION_CUES.search(plain) or _FOREIGN_CUES.search(plain))


def is_instruction(piece: str) -> bool:
    """True when a piece of a message tells the system where to send the call, whatever its wording."""
    plain = _deobfuscate(piece)
    if not _DESTINATION.search(plain):
        return bool(re.search(r"\b(?:transfer_to_human|delegate)\s*\(", piece))
    return any(p.search(plain) for p in (_COMMAND, _LABELLED, _INSTRUCTION_CUES, _FOREIGN_CUES))


def _without_instruction(piece: str) -> str:
    """A piece as typed, or without the instruction it ends or starts with (the customer's words may share a piece
    with it when no punctuation separates them), or nothing when it is all instruction."""
    if not is_instruction(piece):
        return piece
    words = piece.split()
    # The longest run of leading words that leaves an instruction after it, then the shortest instruction prefix.
    for k in range(len(words) - 1, 0, -1):
        if is_instruction(" ".join(words[k:])):
            head = " ".join(words[:k])
            return "" if _has_cue(head) else head
    for j in range(1, len(words)):
        if is_instruction(" ".join(words[:j])):
            tail = " ".join(words[j:])
            return "" if _has_cue(tail) else tail
    return ""


_TOOL_CALL = re.compile(r"[^\n.!?]*\b(?:transfer_to_human|delegate)\s*\([^)\n]*\)?", re.IGNORECASE)


def drop_instructions(text: str) -> str:
    """The text without the pieces that instruct the system where to route the call."""
    # Pieces at even indices, the separators between them (kept as typed) at odd ones.
    parts = _PIECE_SPLIT.split(_TOOL_CALL.sub("\n", text))
    kept = [part if index % 2 or not part.strip() else _without_instruction(part) for index, part in enumerate(parts)]
    changed = [index % 2 == 0 and kept[index] != part for index, part in enumerate(parts)]
    # A heading that frames a removed instruction ("**NOTE FOR THE ASSISTANT**:") goes with it.
    for index in range(0, len(parts), 2):
        near = any(changed[j] for j in (index - 2, index + 2) if 0 <= j < len(parts))
        framing = parts[index].strip()
        if not changed[index] and near and framing.endswith(":") and _has_cue(framing):
            kept[index] = ""
            changed[index] = True
    # A removed instruction leaves a line end: the other patterns stop there, so no piece runs into the next.
    return "".join(k + "\n" if c else k for k, c in zip(kept, changed, strict=True))


def strip_ignored_text(text: str) -> str:
    """The customer's text without injected instructions or bare demands for a human."""
    out = drop_instructions(text.replace("’", "'"))
    for pattern in (*_INJECTION_RES, *_HUMAN_DEMAND_RES):
        out = pattern.sub(" ", out)
    return _WHITESPACE.sub(" ", out).strip()


# --------------------------------------------------------------------------------------------------
# Someone else's account (rule 8).
# --------------------------------------------------------------------------------------------------

_RELATIVE = (
    r"(?:wife|husband|hubby|partner|mum|mom|mother|dad|father|son|daughter|kid|kids|child|children|friend|brother|"
    r"sister|boss|grand\w+|aunt|uncle|spouse|fianc\w+|girlfriend|boyfriend|roommate|roomate|flatmate|housemate|"
    r"neighbou?r|colleague|coworker|co-worker|cousin|niece|nephew|parents?|in-laws?|\w+-in-law|employee|tenant)"
)
_THEIR_THING = (
    r"(?:account|card|cards|balance|statement|transactions?|payments?|bill|bills|purchases|spending|charges|"
    r"info|information|details|login|password|pin|limit|credit)"
)
_SOMEONE_ELSE = re.compile(
    r"\b(my|our)\s+" + _RELATIVE + r"'?s\s+(\w+\s+){0,2}?" + _THEIR_THING + r"\b"
    r"|\b(someone|somebody) else'?s (account|card)\b"
    r"|\b(his|her)\s+(\w+\s+){0,2}?" + _THEIR_THING + r"\b"
    r"|\b(my|our)\s+" + _RELATIVE + r"\s+(has|have|had|got|holds?)\s+(a|an|the|her|his|their)?\s*(\w+\s+)?"
    r"(card|account)\b"
    r"|\b(calling|call|phoning|here|asking|ringing) (for|on behalf of) (my|our)\s+" + _RELATIVE + r"\b"
    # "He's been buying", never "they charged me": a merchant is "they" far more often than a relative.
    r"|\b(he|she)('?s| is| has)? been (buying|spending|using)\b"
    r"|\b(he|she) (can not|does not|is not able to|is unable to) (use|access|get into|log into|work)\b"
    r"|\bwhat (did|has|have|does) (my\s+" + _RELATIVE + r"|he|she) (spend|spent|buy|bought|charge|owe)\b"
)
_CLAUSE_SPLIT = re.compile(r"(?<=[.?!;,])\s+|\s+(?:and|also|plus|but|oh and|while i have you)\s+")


def mentions_someone_else(normalised_text: str) -> bool:
    """True when normalised text asks about another person's account or card."""
    return bool(_SOMEONE_ELSE.search(normalised_text))


def drop_third_party(text: str) -> str:
    """Normalised text without the clauses about someone else's account (rule 8), when any clause is left."""
    if not _SOMEONE_ELSE.search(text):
        return text
    clauses = _CLAUSE_SPLIT.split(text)
    kept = [c for c in clauses if not _SOMEONE_ELSE.search(c)]
    return " ".join(kept) if kept else ""
