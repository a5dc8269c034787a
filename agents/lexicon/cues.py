"""Cues in a customer's words that the route is still open, or already settled, and negation.

The routing policy asks a clarifying question when a message leaves fraud vs disputes vs transactions,
fraud vs card services, closing the account vs blocking the card, or hardship vs a bill question undecided.
Each predicate here reads one such cue in normalised text (agents.lexicon.normalise), unless it says raw.
"""

from __future__ import annotations

import re

from ccsim.agents.lexicon.ignored_text import strip_ignored_text
from ccsim.agents.lexicon.patterns import fragment

_CHARGE = fragment("CHARGE")
_NEGATIONS = frozenset({"not", "no", "never", "without", "nothing", "none", "nor", "neither"})
_CLAUSE_BREAK = re.compile(r"[,.;!?\n]|\bbut\b|\band\b|\bso\b|\bbecause\b|\bthough\b")
_WORD = re.compile(r"[a-z']+")


def negated(text: str, start: int) -> bool:
    """True when a negation sits within three words before `start` in the same clause."""
    prefix = text[:start]
    breaks = list(_CLAUSE_BREAK.finditer(prefix))
    clause = prefix[breaks[-1].end() :] if breaks else prefix
    return bool(_NEGATIONS.intersection(_WORD.findall(clause)[-3:]))


_AMBIGUOUS_CHARGE = re.compile(
    r"\b(weird|strange|odd|unknown|unfamiliar|unusual|random|mystery|mysterious|funny|suspect|unexpected|"
    r"unidentified|some)\s+(charges?|payments?|transactions?|debits?|purchases?|withdrawals?|amounts?|"
    r"direct debits?|entry|entries|thing)\b"
    r"|\bwhat (is|are|was|were) (this|these|that|those)\b.{0,25}\b" + _CHARGE + r"\b"
    r"|\b(charges?|payments?|transactions?|debits?)\b.{0,20}\b(i am|i was|am) unsure (about|of)\b"
    r"|\b(question|questions|query|ask) about (a|this|that|the|one|some)\b.{0,10}\b" + _CHARGE + r"\b"
    r"|\bwhat (is|was) (this|that)\b\s*\??$"
    r"|\bwho (is|are)\b.{0,30}\b(charg\w*|on my (statement|account|card))\b"
    # A charge that "looks off" or "isn't right" says nothing yet about whether the merchant is known.
    r"|\b(charges?|transactions?|payments?|debits?|purchases?|entry|entries)\b.{0,30}\b(looks? (off|wrong|strange|"
    r"weird|odd|funny|suspicious)|does not look right|(is|are) (off|not right)|that i do not (get|understand))\b"
    r"|\b(something|anything)('?s| is)? (wrong|off|not right|odd|strange|weird)\b.{0,25}\b(charges?|transactions?|"
    r"payments?|statement|bill)\b"
    r"|\bsomething (on|in) my (statement|bill)\b(?! (is|was) (paid|due))"
    r"|\bone of (my|the) (charges|transactions|payments|purchases)\b"
    r"|\b(charges?|transactions?) i do not (get|understand)\b"
    r"|\bextra (charges?|amount)\b|\b(charged|charging) (me )?extra\b"
    r"|\bwhat (this|that) (charge|transaction|payment|debit) is\b"
    r"|\b(strange|weird|odd|random|unfamiliar|funny) name\b|\bname on my (statement|bill)\b.{0,20}\bcan not place\b"
)
_VAGUE_CHARGE = re.compile(
    r"\b(look (at|into|over)|check|explain|review|go over|query|unsure (about|of)|(do not|can not) (get|understand|"
    r"figure out|work out|make sense of))\b.{0,6}\b(a|this|that|one|some|the)( \w+)? (charges?|transactions?|debits?|"
    r"purchases?|entry|entries)\b(?! (history|list|limit))"
    r"|\b(look (at|into|over)|check|explain|review|go over|query)\b.{0,6}\b(a|this|that|one)( \w+)? payment\b.{0,6}"
    r"\bon my (statement|bill|card|account)\b"
    r"|\bwhy is (this|that|there (a|an|this))( \w+)? (charge|transaction|debit|purchase)\b.{0,12}\bon my "
    r"(card|account|statement|bill)\b"
    r"|\bwhat (is|are) (this|that|these|those)\b.{0,4}\b(on|in) my (statement|bill|card|account)\b"
)
# A fee, interest or a pending, declined or refunded charge says which charge it is; "the transactions made in
# February" is a period's list, not one charge.
_CHARGE_NAMED = re.compile(
    r"\b(fees?|interest|apr|annual|pending|declined|refund\w*|recent|last|latest|history|posted|went through)\b"
    r"|\b(transactions|charges|purchases|payments)\b.{0,15}\b(in|from|during|for|since|over) (january|february|"
    r"march|april|may|june|july|august|september|october|november|december|this (month|week|year)|the (past|last))\b"
)
# "The name rings a bell", "might be mine": the customer half-recognises the charge (rule 3: not yet fraud).
_HEDGED_RECOGNITION = re.compile(
    r"\b(rings? a bell|sounds? (kind of |kinda |a bit |sort of )?familiar|(might|could|may) (be|have been) (mine|me|"
    r"something i)|maybe (it is|its|it was) (mine|me|something i)|probably (mine|me)|might be mine)\b"
)
# Statement descriptors are printed in capitals ("HILTON GARDEN INN 4EN", "PMC PARKING 44174"); a run of
# capitalised tokens inside a normally-typed message is most likely one being quoted.
_CAPS_DESCRIPTOR = re.compile(r"\b[A-Z][A-Z0-9&'.#/*-]+(?:\s+[A-Z0-9#][A-Z0-9&'.#/*-]*){1,5}\b")
_CAPS_STOPWORDS = frozenset(
    {"I", "ATM", "PIN", "OK", "USA", "US", "UK", "APR", "ASAP", "SSN", "CVV", "ID", "AM", "PM", "SYSTEM", "PROMPT",
     "UPDATE", "AGENT", "AI", "ADMIN", "NOTE", "URGENT", "HELP", "NOW", "PLEASE", "PLS", "NOT", "ME", "MY", "THE",
     "A", "IS", "IT", "TO", "AND", "OMG", "WTF", "LOL", "FYI", "NO", "YES", "HI", "HEY", "DEVELOPER", "MODE", "ON",
     "REAL", "PERSON", "HUMAN", "OPERATOR", "NEED", "WANT", "CARD", "NEW", "OVERRIDE", "TV", "SMS", "OTP", "CVC"}
)  # fmt: skip
# "Deactivate my card", "switch my card off": block this card or close the account? Only the customer knows.
_AMBIGUOUS_CLOSE = re.compile(
    r"\b(deactivat\w*|disabl\w*|stop|shut\w*( down| off)?|switch\w*( off)?|turn\w*( off)?)\b.{0,12}"
    r"\b(my|this|the|that)( credit)? card\b"
    r"|\b(deactivat\w*|disabl\w*|stop|shut (down|off)|switch off|turn off)( (credit|the|my))? card\b"
    r"|\b(do not|no longer) want (my|this|the|that)( credit)? card (working|to work|active|usable|on)\b"
    r"|\bmake (my|this|the|that)( credit)? card (stop working|not work|unusable|inactive|useless)\b"
    r"|\b(my|this|the|that)( credit)? card\b.{0,8}\b(shut|switch\w*|turn\w*|deactivat\w*|disabl\w*)( off| down)?\b"
)
_CLOSE_SETTLED = re.compile(
    r"\b(account|for good|permanent\w*|altogether|completely|(?<!hold )forever|close\w*|leave|leaving|switching banks|"
    r"anymore|any more|for now|temporar\w*|for a (bit|while|few|couple)|until|till|while i|just in case|lost|"
    r"stolen|missing|find|found|misplac\w*|abroad|travel\w*|declin\w*|not working|back on|unlock|unfreeze)\b"
    # "Turn on the card I was sent" is an activation, never a closure.
    r"|\b(turn|switch)\w* (it |the card |my card )?on\b"
)
_NO_UNKNOWN_CHARGES = re.compile(
    r"\b(no|not any|none|nothing|without any|zero|not seen any|not noticed any)\b.{0,20}"
    r"\b(charges?|transactions?|purchases?|payments?|spending|spent|activity|used|charged|taken|missing)\b"
    r"|\b(all|everything)\b.{0,20}\b(charges?|transactions?)?.{0,5}\b(fine|mine|normal|ok|okay|look(s)? (right|"
    r"fine|normal|ok))\b"
    r"|\b(have not|has not|did not|do not)\b.{0,10}\b(see|seen|notice|noticed|spot|been used|been charged|think "
    r"(so|there are any))\b"
    r"|\bnot (been )?(used|charged|touched)\b|\bnot that i (can see|have seen|know of|noticed)\b"
    r"|\bnothing (on it|on there|charged|spent|taken)\b"
    r"|\b(every|each) (charge|transaction|purchase)\b.{0,20}\b(is|was|are) mine\b"
)
_PAYMENT_QUESTION = re.compile(
    r"\b(problem|problems|issue|issues|trouble|question|questions|help|query|concern|worried|worry)\w*\b.{0,12}"
    r"\b(with|about|regarding|re|on)\b.{0,6}\b(my |the |this month's |next |last |a )?(payment|payments|bill|"
    r"minimum|minimum payment|dues?|paying)\b"
    r"|\bsomething('?s| is)? (going on|wrong|up|off|different)\b.{0,12}\b(with|about|on)\b.{0,6}\b(my |the )?"
    r"(payment|bill)\b"
    r"|\b(my |the )?(bill|payment)\b.{0,20}\b(looks?|seems?) (different|off|weird|strange|higher|wrong)\b"
    r"|^\W*(my |the )?(payment|bill|payments)\W*$"
    r"|\babout (my|the) (payment|bill)\b"
)
_VAGUE_PAYMENT = re.compile(
    r"\b(about|regarding|re|with|help|question|questions|query|calling|call|discuss|talk about|go over)\b.{0,8}"
    r"\b(paying( off)? )?(my|the|this "
    r"month'?s)( credit)?( card)? (payment|bill)\b|\bpaying( off)? (my|the)( card)? balance\b"
    r"|\b(help|question|query|talk|trouble|problem)\b.{0,12}\bwhat i owe\b"
    r"|\b(payment|bill|billing)s? (question|query|issue|problem)\b"
    r"|\b(payment|bill) (is )?due\b.{0,30}\b(help|question|talk)\b"
)
# A request precise enough to serve: the amount, the date, how to pay, autopay, a statement.
_SPECIFIC_PAYMENT = re.compile(
    r"\b(what (is|was|are|will)|when|how much|how (do|can|to)|where|which|why)\b|\$\d|\b(schedule\w*|set up|"
    r"autopay|auto pay|automatic|(want|like|need) to pay|pay it|make (a|my|the) payment|posted|statement|minimum|"
    r"pay (it|this|the|my) (off|in full|now|today)|in full|went through|go through|received|late|pay|check|see|view|"
    r"know|tell me|show me|look up|find out)\b"
)
# The star attached on one side at least ("SQ *COFFEE", "AMZN*MKTP"); "file * Footnote" is a bullet.
_STAR_DESCRIPTOR = re.compile(r"\b[a-z0-9]{2,}(?:\*\s?|\s\*)[a-z0-9]")
_NAMED_DESCRIPTOR = re.compile(
    r"\b(merchant|company|store|business|payee) name\b|\bdescriptor\b|\b(labell?ed|listed as|shows? (up )?as|"
    r"appears? as|named)\b"
)


# A formal complaint tells its story first: loyalty ("a customer for ten years, always paid in full") and past
# matters already settled ("after I disputed a charge last year") are background to the grievance that follows.
_SENTENCE = re.compile(r"[^.!?;:]+[.!?;:]*")
_SETTLED_PAST = re.compile(
    r"\b(last year|years ago|a year ago|(several|some|a few|two|three|six) months ago|previously|in the past|"
    r"some time ago|a while (ago|back)|once before|before that|on a previous occasion|in (19|20)\d\d)\b"
    r"|\b(resolved|sorted( out)?|handled|dealt with|settled (quickly|promptly|fairly)|was (very |most )?helpful|"
    r"satisfactor\w*|to my satisfaction|fixed)\b"
)
# What marks the sentence that follows as the present grievance.
_NOW = re.compile(
    r"\b(now|this time|however|today|currently|this (week|month|morning)|recently|since then|something else|"
    r"(a |another |a different |a separate )matter|(my|the) ((present|current|new|main|real|actual|only) )?(concern|"
    r"issue|problem|complaint|question|reason|situation)|i am (writing|contacting|calling) (because|about|regarding|"
    r"to)|i have (now |since |recently )?decided)\b"
)
# "Following a disputed charge last year, I have decided...": a leading clause about a settled past matter.
_LEADING_CLAUSE = re.compile(
    r"^\s*(following|after|since|given|because of|in light of|despite|having (had|been|experienced))\b[^,]{0,120},"
)
# Tenure and a clean record, in any position: never a hardship, a settlement or a merchant's hold. The record
# ends where the story turns ("never missed a payment until my hours were cut") or a request begins ("... want to
# close my card").
_UNTIL_TURN = (
    r"(?:(?!\b(?:until|but|before|when|however|now|then|since|want|wish|would like|need|please|request)\b)"
    r"[^.;!?,]){0,50}"
)
_LOYALTY = re.compile(
    r"\b(i|we) (have|had) (been|held|had|used)\b[^.;!?]{0,60}\b(customer|cardholder|card holder|member|this card|"
    r"the card|an account|with (you|the bank))\b" + _UNTIL_TURN + r"|\b(and )?(i )?(have |had )?(always (paid|settled|"
    r"cleared|been)|never( once)? (missed|been late|had (a|any) (problem|issue|late)))\b" + _UNTIL_TURN
)


def _background(sentence: str, later: list[str]) -> bool:
    return bool(_SETTLED_PAST.search(sentence)) and any(_NOW.search(s) for s in later)


def foreground(text: str) -> str:
    """`text` without its background: tenure and a clean record, and past matters followed by a present one."""
    text = _LOYALTY.sub(" ", text)
    sentences = _SENTENCE.findall(text)
    kept: list[str] = []
    for i, sentence in enumerate(sentences):
        lead = _LEADING_CLAUSE.match(sentence)
        rest = sentence[lead.end() :] if lead else ""
        if _background(sentence, sentences[i + 1 :]):
            continue
        if lead and rest.strip() and _background(lead.group(0), [rest]):
            kept.append(rest)
        else:
            kept.append(sentence)
    return "".join(kept)


# A bank fee or interest is what the customer disputes or wants back (policy rule 9: not a merchant's dispute).
_BANK_CHARGE_TARGET = re.compile(
    r"\b(disput\w*|contest\w*|challeng\w*|refund\w*|revers\w*|waiv\w*|remov\w*|cancel\w*|take off|taken off|get back|"
    r"back)( of)? (the |this |that |my |a |an |these |those )?(\$?\d[\d.,]* )?(\w+ ){0,3}(fees?|interest( charges?)?|"
    r"finance charges?|apr)\b"
    r"|\b(fees?|interest( charges?)?|finance charges?)\b.{0,30}\b(refunded|reversed|waived|removed|taken off|credited "
    r"back|disputed|contested|cancel+ed)\b"
)


# Policy rule 9 by meaning rather than by phrase: any word for a charge the bank itself sets (a fee, interest, the
# APR, a penalty) together with any word of grievance about it (unfair, waive, reverse, explain, raised without
# notice, promised rate not honoured). A merchant's own fee ("a cancellation fee by the hotel") is a dispute.
_BANK_CHARGE_WORD = re.compile(
    r"\b(fees?|interest(?! in\b)|finance charges?|apr|penalty|penalties|(promotional|introductory|intro|teaser|0 ?%) "
    r"(rate|apr)|(maintenance|annual|late|inactivity|dormancy|over[- ]?limit|account|monthly|finance|penalty) "
    r"charges?)\b"
)
_MERCHANT_FEE = re.compile(
    r"\b(cancell?ation|resort|booking|delivery|restocking|shipping|damage|cleaning|no[- ]show|reservation|"
    r"convenience|processing|tip|gratuity|parking|baggage|luggage|change) (fees?|charges?)\b|\bfees? (by|from) (the|a|"
    r"an|that|this) (hotel|airline|merchant|shop|store|company|seller|retailer|restaurant|gym|landlord)\b"
    r"|\b(airline|hotel|merchant|shop|store|seller|retailer|restaurant|gym|landlord|garage|dealer\w*|rental|agency|"
    r"venue|website|provider|school|clinic)\b[^.!?;]{0,25}\b(charged|billed|added|took|imposed|applied|hit me with)\b"
    r"[^.!?;]{0,25}\bfees?\b"
)
_CHARGE_GRIEVANCE = re.compile(
    r"\b(unfair\w*|unjust\w*|excessive\w*|unreasonabl\w*|outrageous|ridiculous|extortionate|disproportionate|"
    r"punitive|predatory|mislead\w*|misled|misrepresent\w*|not (been )?honou?red|(never|not|was not|were not) "
    r"(told|informed|notified|warned|made aware|explained)|without (any |prior )?(notice|warning|explanation|"
    r"notification)|waiv\w*|revers\w*|refund\w*|remov\w*|credit\w* back|(take|took|taken) (it |them |this )?off|"
    r"rescind\w*|complain\w*|explain\w*|(do not|can not|fail to) understand (how|why)|object to|i dispute)\b"
)
# Rule 9's exception: a fee that came from a payment or autopay that did not run is the payment's issue.
_PAYMENT_DID_NOT_RUN = re.compile(
    r"\b(payment|autopay|auto pay|automatic payment|direct debit|scheduled payment)s?\b.{0,40}\b((did not|does not|"
    r"was not|were not|never|not|failed to) (\w+ )?(run|ran|go through|went through|gone through|taken|made|processed|"
    r"happen\w*|work\w*|come out|came out|go out|went out|gone out|pulled|collected|debited)|failed|bounced|"
    r"was returned|were returned|(silently )?(disappeared|vanished))\b"
)


def bank_charge_grievance(text: str) -> bool:
    """The customer complains about, or wants back, a fee or interest the bank set, not one a payment failure caused."""
    if merchant_fee(text) or payment_did_not_run(text):
        return False
    # The grievance must be about the charge: in the sentence that names it or the two after, where a complaint
    # goes on ("I was charged a $10 fee... I think it is unreasonable"); a grievance before the charge is named is
    # about something else ("remove my old address. also, what is the annual fee?").
    sentences = _SENTENCE.findall(text)
    return any(
        _BANK_CHARGE_WORD.search(sentence) and any(_CHARGE_GRIEVANCE.search(s) for s in sentences[i : i + 3])
        for i, sentence in enumerate(sentences)
    )


def payment_did_not_run(text: str) -> bool:
    """A payment or autopay to the card failed (rule 9: any fee it caused is the payment's issue)."""
    return bool(_PAYMENT_DID_NOT_RUN.search(text))


# "I reported my card lost on 3 March... no card has arrived": the loss is dealt with; what is open is the rest.
_LOSS_REPORTED = re.compile(
    r"\b(reported|already told you|already called)\b.{0,25}\b(lost|stolen|missing)\b"
    r"|\b(lost|stolen|missing)\b.{0,25}\b(which|that) i (reported|had reported)\b"
    r"|\b(you|the bank) (blocked|cancel+ed|locked|froze) (it|my card|the card)\b"
)


# "Can you block it and send me another", "lock it till I find it": the customer says what they want done with the
# lost card, which is card services' lock and replace (rule 2); with no word of charges there is nothing to ask.
_CARD_ACTION = re.compile(
    r"\b(block|lock|freeze|cancel|stop|deactivate|suspend|disable|put a (hold|block|stop) on)\b.{0,6}\b(it|the card|"
    r"my card|this card|that card|them|the old one)\b"
    r"|\b(send|issue|mail|post|get|order|need|want)\b.{0,8}\b(me )?(a new|another|a replacement|new|replacement)\b"
    r"( one| card)?"
    r"|\breport (my|the|a) (card|credit card) (lost|stolen|missing)\b"
)


def card_action_requested(text: str) -> bool:
    """The customer asks for the lost card to be locked, blocked or replaced (no question of charges)."""
    return bool(_CARD_ACTION.search(text))


def loss_already_reported(text: str) -> bool:
    """The customer reported the lost or stolen card before; asking again about it would serve nothing."""
    return bool(_LOSS_REPORTED.search(text))


def bank_charge_disputed(text: str) -> bool:
    """The customer disputes, or wants back, a fee or interest the bank applied ("dispute the late fee")."""
    return bool(_BANK_CHARGE_TARGET.search(text)) and not merchant_fee(text)


def merchant_fee(text: str) -> bool:
    """The fee named is a merchant's ("a change fee the airline charged"): rule 9 leaves it to disputes."""
    return bool(_MERCHANT_FEE.search(text))


_FOREIGN_EXTRA = re.compile(
    r"\b(uk|foreign|overseas|international|abroad|european|canadian|another country)\b.{0,40}\b(extra|additional|"
    r"added) (charges?|fees?)\b"
)


def ambiguous_charge(text: str) -> bool:
    """A charge the customer asks about without saying whether they know the merchant."""
    if _FOREIGN_EXTRA.search(text):
        return False
    return any(not negated(text, m.start()) for m in _AMBIGUOUS_CHARGE.finditer(text)) or (
        bool(_VAGUE_CHARGE.search(text)) and not _CHARGE_NAMED.search(text)
    )


def hedged_recognition(text: str) -> bool:
    """The customer half-recognises the charge ("rings a bell", "might be mine")."""
    return bool(_HEDGED_RECOGNITION.search(text))


def no_unknown_charges(text: str) -> bool:
    """The customer says there are no charges they did not make ("nothing unusual on it")."""
    return bool(_NO_UNKNOWN_CHARGES.search(text))


def payment_question(text: str) -> bool:
    """Trouble or a question with the payment or the bill: hardship, or a plain bill question?"""
    return bool(_PAYMENT_QUESTION.search(text))


def vague_payment(text: str) -> bool:
    """A payment or bill question that asks for nothing in particular ("calling about my payment")."""
    # The words of "what i owe" are the vague question itself: they must not count as a specific request.
    return bool(_VAGUE_PAYMENT.search(text)) and not _SPECIFIC_PAYMENT.search(text.replace("what i owe", ""))


def ambiguous_close(text: str) -> bool:
    """The customer wants the card to stop working without saying whether for good or for now."""
    return bool(_AMBIGUOUS_CLOSE.search(text)) and not _CLOSE_SETTLED.search(text)


def descriptor_named(text: str, raw: str) -> bool:
    """The customer quotes or points at the merchant's name on the statement (`raw` as typed)."""
    return bool(_STAR_DESCRIPTOR.search(text) or _NAMED_DESCRIPTOR.search(text)) or caps_descriptor(
        strip_ignored_text(raw)
    )


def caps_descriptor(raw: str) -> bool:
    """True when the message quotes a statement descriptor in capitals inside otherwise normal typing."""
    letters = [c for c in raw if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) > 0.6 * len(letters):
        return False  # a message typed in capitals quotes nothing
    for match in _CAPS_DESCRIPTOR.finditer(raw):
        tokens = [t.strip(".,!?") for t in match.group(0).split()]
        if sum(1 for t in tokens if len(t) >= 3 and t not in _CAPS_STOPWORDS) >= 1 and not all(
            t in _CAPS_STOPWORDS or t.isdigit() for t in tokens[:1]
        ):
            return True
    return False
