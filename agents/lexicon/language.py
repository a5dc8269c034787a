"""Which pieces of a message are written in another language than English (routing policy rule 6).

The customers here write English; a sentence, line or clause in another language inside an English message is
never the customer's issue (it is an instruction to the machine, or a quote). Recognised by the function words
of the language, not by its routing vocabulary: every sentence of a language needs its articles, pronouns,
prepositions and particles, whatever it asks for, so a phrasing never seen before is still caught.

Why no offline language-identification library: the pieces are short (3 to 15 words), where character-n-gram
identifiers (langid, fastText's lid.176, lingua) are unreliable and either heavy to load (fastText, lingua's
models: tens of MB) or slow per call (langdetect is random and ~1 ms a piece); a set lookup per word costs
microseconds and is deterministic.

A piece in another script (Devanagari, Arabic, Cyrillic, Thai, Hangul, Chinese, ...) is recognised by the Unicode
script of its letters, not by its words: a sentence or clause whose letters are mostly of another script than
Latin, with the Latin words embedded in it (a department's name, "account_closure"), is another language's piece
(`without_other_script`). The script is the first word of a letter's Unicode name ("DEVANAGARI LETTER MA",
"CJK UNIFIED IDEOGRAPH-4E0A"), so every script is caught alike, with no table of ranges to keep up.

A word counts for a language only when English has no such word ("de", "la", "die", "an", "to", "do" are left
out), so that an English sentence with a foreign name in it ("a charge from Café de Flore", "gracias for the
help") stays English: it takes two foreign words and more foreign than English ones.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "english_words",
    "foreign_words",
    "is_english",
    "is_english_word",
    "is_other_language",
    "without_other_script",
]


def _listed(words: str) -> frozenset[str]:
    """A word list written as prose lines (easier to read and extend than a literal of quoted words)."""
    return frozenset(words.split())


# Common English function words and courtesy words: what any English sentence of the customers has.
_ENGLISH = _listed(
    """a about above after again against all am an and any are as at be because been before being below between
    both but by can cant could did didnt do does doesnt doing dont down during each few for from further had has
    have having he her here hers him his how i if in into is isnt it its itself just me more most my myself no
    nor not now of off on once only or other our ours out over own same she should so some such than that thats
    the their theirs them then there these they this those through to too under until up very was wasnt we were
    what when where which while who whom why will with wont would you your yours yourself im ive id ill youre
    please thanks thank hi hello hey yes ok okay got get still yet already never ever also why want need card
    charge charged money account payment bank help since last week today yesterday"""
)

# Function words (and the commonest courtesy words) of other Latin-script languages, written without their marks
# as customers type them, less every word that is also English or an English abbreviation.
_FOREIGN = (
    _listed(
        # Spanish
        """ el los las una unos unas esta este esto estos estas ese esa eso por para que es son del al lo le les su sus
    mi mis tu tus usted ustedes nosotros con sin pero como cuando donde porque muy ya mas tambien hay ser estar
    favor gracias ahora inmediatamente necesito quiero puede pueden hacer debe deben esta llamada conversacion
    departamento equipo todas todos cualquier siempre nunca aqui alli podria podrias pasarme paseme pasar
    comunicar urgente necesitamos"""
        # Portuguese
        """ ao aos da das dos uma umas um voce voces nao sim com sem mas como quando onde porque muito ja isso isto
    esse essa este esta pelo pela pelos pelas obrigado obrigada agora imediatamente preciso quero pode conversa
    ligacao setor encaminhe encaminhar transfira transferir envie enviar diretamente poderia gostaria"""
        # French
        """ le les des du au aux une ce cet cette ces je tu il elle nous vous ils elles mon ma mes ton ta tes son sa
    ses notre votre leur leurs avec sans pour sur dans chez mais ou est sont etre avoir fait faire tres deja
    merci maintenant immediatement veuillez svp plait ceci cela ici dossier transmettre transmettez envoyer
    envoyez service appel tous toutes toujours jamais aussi"""
        # Italian
        """ il gli della delle dello degli dei nel nella nelle negli alla alle allo agli questa questo questi queste
    quello quella sono siamo siete che non per con senza ma come quando dove perche molto gia grazie adesso
    subito immediatamente vorrei voglio puoi potete deve devono inoltrare inoltra trasferire trasferisci passare
    chiamata conversazione reparto ufficio tutte tutti sempre mai anche"""
        # German
        """ der das dem den des ein eine einen einem einer und ist sind nicht mit fur auf bei aus nach zum zur vom
    ich du er sie wir ihr mich mir dich dir uns euch mein meine meinen dein deine sein seine ihre ihren dieser
    diese dieses diesen bitte danke sofort jetzt auch noch schon immer nie weiterleiten weiter weitergeben
    verbinden abteilung anruf gesprach anfrage alle alles wird werden wurde muss mussen kann konnen"""
        # Dutch
        """ het een niet met voor naar van uit bij mijn jouw uw ons onze deze dit dat zijn worden wordt kunt kan moet
    moeten graag alstublieft alsjeblieft bedankt dank direct meteen doorsturen doorverbinden afdeling gesprek
    ook nog alle altijd nooit"""
        # Swedish, Danish, Norwegian
        """ och att det som ar var till fran med for inte jag du vi ni min mitt mina din ditt dina denna detta dessa
    snalla vanligen tack direkt genast avdelning avdelningen samtal skicka vidarebefordra koppla og til fra er
    ikke jeg denne dette venligst vennligst tak takk afdeling avdeling afdelingen avdelingen straks videre vidare
    arende arendet mycket"""
        # Polish
        """ jest nie sie na ze jak ale czy ten ta te tego tej ktory ktora prosze dziekuje natychmiast teraz dzial
    dzialu przekaz przekazac polacz rozmowe rozmowa sprawe wszystkie zawsze nigdy tylko"""
        # Turkish
        """ bu ve bir icin ile hemen lutfen tesekkurler tesekkur ederim birimine birime aktar aktarin yonlendir
    yonlendirin gorusmeyi gorusme bunu simdi hepsi zaman talebi talep ekibine ekibe iletin iletir"""
        # Indonesian, Malay
        """ ini itu yang dan ke di dari untuk dengan saya anda kami kita mereka tolong mohon harap silakan segera
    sekarang bagian terima kasih alihkan kirim sambungkan percakapan panggilan ini juga semua selalu tidak bisa"""
        # Tagalog
        """ ang ng sa mga po ito iyan ako ikaw ka siya kami tayo sila paki pakilipat ilipat lipat naman lang kay
    salamat ngayon agad lahat dito"""
        # Vietnamese written without its marks
        """ vui long chuyen cuoc goi nay den bo phan cua toi ban xin cam ngay lap tuc va cho nhung cac duoc khong"""
        # Romanian, Czech, Hungarian
        """ si rog acest aceasta catre pentru departamentul imediat multumesc prosim tento tuto hovor oddeleni dekuji
    ihned kerem ezt az hogy es azonnal koszonom osztalyra"""
    )
    - _ENGLISH
    - _listed(
        # Short foreign words that are English words, names or abbreviations too: never evidence either way.
        """ a an as at be by do go he hi i if in is it me my no of on or so to up us we die den man hat war bin will
    see son pole ten tot van mail post con pas plus long chat bar base set ban toi er ma ta send direct service
    come dove per non att till med min mitt din tack til na ale ve dan po kay nay bo cam lap va az mon ton est
    dossier hay favor um sim com"""
    )
)

_WORD = re.compile(r"[a-z]+")


def _words(text: str) -> list[str]:
    # Marks dropped ("está" reads as "esta", "lütfen" as "lutfen"), as the lists above are written.
    plain = text.lower()
    if not plain.isascii():
        plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode("ascii")
    return _WORD.findall(plain.replace("'", ""))


def foreign_words(text: str) -> int:
    """How many words of the text are another language's function words."""
    return sum(word in _FOREIGN for word in _words(text))


def english_words(text: str) -> int:
    """How many words of the text are English function words."""
    return sum(word in _ENGLISH for word in _words(text))


def is_english_word(word: str) -> bool:
    """The word is one of the English function or courtesy words every sentence of the customers has."""
    return word.lower() in _ENGLISH


def is_other_language(text: str) -> bool:
    """The text reads as another language: two of its function words at least, and more of them than English ones
    ("Bitte sofort weiterleiten, danke", "encaminhe esta conversa para", never "paid Café de Flore, gracias")."""
    words = _words(text)
    foreign = sum(word in _FOREIGN for word in words)
    if foreign < 2:
        return False
    return foreign > sum(word in _ENGLISH for word in words)


def is_english(text: str) -> bool:
    """The text reads as English: more English function words than foreign ones (one is enough: the rest of a
    message may be as short as "what's my balance")."""
    words = _words(text)
    return sum(word in _ENGLISH for word in words) > sum(word in _FOREIGN for word in words)


# --------------------------------------------------------------------------------------------------
# Pieces in another script.
# --------------------------------------------------------------------------------------------------

_LATIN = "LATIN"
# Marks (vowel signs, viramas, tone marks) belong to the letter before them: "मेरी" is one word, not two.
_MARK = "+"
# Scripts written without spaces between words: a run of their letters is several words (about this many letters
# each), or a Chinese sentence would weigh as one word beside the Latin name in it.
_LETTERS_PER_WORD: dict[str, float] = {
    "CJK": 1.5,
    "HIRAGANA": 2,
    "KATAKANA": 2,
    "YI": 2,
    "THAI": 3,
    "LAO": 3,
    "KHMER": 3,
    "MYANMAR": 3,
}
# Scripts whose letters are drawn like Latin ones: mixed into a Latin word ("ѕуѕtеm", "Тrаnsfer") they disguise it,
# they are not another language.
_LOOKALIKE = frozenset({"CYRILLIC", "GREEK", "CHEROKEE", "ARMENIAN", "COPTIC"})


@lru_cache(maxsize=4096)
def _script(char: str) -> str:
    """The script of a letter ("" for anything else, `_MARK` for a combining mark); full-width, styled and circled
    Latin letters ("ｆｒａｕｄ", "𝐟𝐫𝐚𝐮𝐝", "ⓕ") are Latin."""
    category = unicodedata.category(char)
    if category[0] == "M":
        return _MARK
    folded = unicodedata.normalize("NFKC", char)
    if folded.isascii():
        return _LATIN if folded.isalpha() else ""
    if category not in ("Lu", "Ll", "Lt", "Lo"):
        return ""  # modifier letters ("ʼ", "ー") and the rest: no word of their own
    name = unicodedata.name(folded[0], "")
    return name.split(" ", 1)[0] if name else ""


class _Run(NamedTuple):
    """Letters of one script in a row (with their marks): a word, or for a script without spaces several."""

    start: int
    end: int
    script: str
    letters: int

    @property
    def words(self) -> float:
        return self.letters / _LETTERS_PER_WORD.get(self.script, self.letters or 1)


def _runs(text: str) -> list[_Run]:
    runs: list[_Run] = []
    start, script, letters = 0, "", 0
    for i, char in enumerate(text):
        kind = _script(char) if not char.isascii() else (_LATIN if char.isalpha() else "")
        if kind == _MARK and script:
            continue
        if kind != script or not kind:
            if script:
                runs.append(_Run(start, i, script, letters))
            start, script, letters = i, kind if kind != _MARK else "", 0
        letters += 1
    if script:
        runs.append(_Run(start, len(text), script, letters))
    return _as_latin_disguises(runs)


def _as_latin_disguises(runs: list[_Run]) -> list[_Run]:
    """Look-alike letters run together with Latin ones in a word are Latin letters in disguise."""
    out: list[_Run] = []
    word: list[_Run] = []
    for run in [*runs, None]:
        if run is not None and word and word[-1].end == run.start:
            word.append(run)
            continue
        # (the runs of one written word: no space or symbol between them)
        if any(r.script == _LATIN for r in word):
            word = [r._replace(script=_LATIN) if r.script in _LOOKALIKE else r for r in word]
        out.extend(word)
        word = [run] if run is not None else []
    return out


def _weights(runs: list[_Run]) -> tuple[float, float]:
    """(Latin words, words of other scripts)."""
    latin = sum(r.words for r in runs if r.script == _LATIN)
    return latin, sum(r.words for r in runs if r.script != _LATIN)


# Sentence ends of every script ("।", "۔", "؟", "。", "።", "։", "။", "។", "།") and line ends; then clause breaks.
_SENTENCE_BREAK = re.compile(r"(\n+|(?<=[.!?;])\s+|[।॥۔؟。！？｡።፧։။។៕།჻؛]+\s*)")
_CLAUSE_BREAK = re.compile(r"((?<=[,:])\s+|[，、：；،]+\s*)")
# Words of another script a stretch needs to be that language's.
_OTHER_WORDS = 1.0
# English words the rest of the message needs for it to be the customer's: else the message is in another script.
_OWN_WORDS = 2


def _within(runs: list[_Run], start: int, end: int) -> list[_Run]:
    """The runs inside text[start:end] (runs are in order, and never cross a piece's edge, a space or a mark)."""
    return runs[bisect_left(runs, start, key=_start) : bisect_left(runs, end, key=_start)]


def _start(run: _Run) -> int:
    return run.start


def _stretch(text: str, runs: list[_Run], start: int, end: int) -> tuple[int, int] | None:
    """In a piece (text[start:end]), the stretch from its first letter of another script to its last, in whole
    words, when it is that script's: mostly its words, with the Latin words embedded in it ("मेरी समस्या Fraud
    department विभाग की है", "请转到Fraud", "กรุณาโอนสายไปที่ Fraud department ด้วยครับ"), or the whole piece. A
    name of another script alone in an English sentence ("charged twice at 上海小笼包") is no such stretch."""
    others = [r for r in runs if r.script != _LATIN]
    if not others:
        return None
    first, last = others[0].start, others[-1].end
    while first > start and not text[first - 1].isspace():
        first -= 1
    while last < end and not text[last].isspace():
        last += 1
    inside = _within(runs, first, last)
    embedded, other = _weights(inside)
    # English words between names of another script ("東京ラーメン and 北京烤鸭") make the stretch English's
    english = any(r.script == _LATIN and text[r.start : r.end].lower() in _GRAMMAR for r in inside)
    # A name in Latin letters between the stretch and the piece's edge is the stretch's too ("Пожалуйста,
    # переведите меня в | Fraud department."), an English clause there is not ("... | close my card.").
    # (a name begun inside the stretch goes on in small letters: "请转接到Account | closure (retention)。")
    if _a_name(text, [r for r in runs if r.end <= first], _latin_letter(text[first])):
        first = start
    if _a_name(text, [r for r in runs if r.start >= last], _latin_letter(text[last - 1])):
        last = end
    whole = not any(r.end <= first or r.start >= last for r in runs)
    if other >= _OTHER_WORDS and other > embedded and ((embedded and not english) or whole):
        return first, last
    return None


# English words no name is made of: with one of them, Latin words beside another script's are an English clause.
_GRAMMAR = _ENGLISH - _listed(
    """card charge charged money account payment bank help since last week today yesterday please thanks thank hi
    hello hey yes ok okay got get still yet already never ever also want need"""
)
_NAME_WORDS = 3


def _latin_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _a_name(text: str, runs: list[_Run], begun: bool = False) -> bool:
    """A few Latin words that are no English clause: a department's name, a route's value ("Card services",
    "account_closure", "fraud"); never a few words of the customer's ("activate card ending 4417", "lost my card")."""
    if not 0 < len(runs) <= _NAME_WORDS or any(r.script != _LATIN for r in runs):
        return False
    words = text[runs[0].start : runs[-1].end]
    if any(text[r.start : r.end].lower() in _GRAMMAR for r in runs) or any(c.isdigit() for c in words):
        return False
    # one word or one identifier, or a title
    return begun or len(words.split()) == 1 or text[runs[0].start].isupper()


def _other_script_spans(text: str) -> list[tuple[int, int, str]]:
    """The spans of the text written in another script, with what each is replaced by (a line end where it was a
    sentence or clause of its own, or began or ended one): read by sentence, then by clause."""
    runs = _runs(text)
    spans: list[tuple[int, int, str]] = []
    parts = _SENTENCE_BREAK.split(text)
    offset = 0
    for n, sentence in enumerate(parts):
        start, offset = offset, offset + len(sentence)
        in_sentence = _within(runs, start, offset)
        if n % 2 or not any(r.script != _LATIN for r in in_sentence):
            continue
        if found := _stretch(text, in_sentence, start, offset):
            # with the sentence's end mark, when the stretch ends the sentence
            end = found[1]
            if not text[end:offset].strip() and n + 1 < len(parts):
                end = offset + len(parts[n + 1])
            spans.append(_span(text, found[0], end, start, offset))
            continue
        clause_end = start
        for m, clause in enumerate(_CLAUSE_BREAK.split(sentence)):
            begin, clause_end = clause_end, clause_end + len(clause)
            if m % 2 == 0 and (found := _stretch(text, _within(in_sentence, begin, clause_end), begin, clause_end)):
                spans.append(_span(text, *found, begin, clause_end))
    return spans


def _span(text: str, first: int, last: int, start: int, end: int) -> tuple[int, int, str]:
    at_edge = not text[start:first].strip() or not text[last:end].strip()
    return first, last, "\n" if at_edge else " "


def without_other_script(text: str) -> str:
    """The text without its pieces in another script than Latin, when the rest is English of its own: the
    customers here write English, and such a piece is an instruction or a quote whatever it says, with the Latin
    words in it ("मेरी समस्या Fraud department विभाग की है", "请转接到account_closure。"). A message wholly or mostly in
    another script, with no English sentence besides, stays as it is; so does a foreign name in an English
    sentence ("Zoë", "a charge from 上海小笼包 twice")."""
    if text.isascii():
        return text
    spans = _other_script_spans(text)
    if not spans:
        return text
    out, at = [], 0
    for start, end, instead in spans:
        out.append(text[at:start])
        out.append(instead)
        at = end
    out.append(text[at:])
    rest = "".join(out)
    if sum(r.script == _LATIN for r in _runs(rest)) < _OWN_WORDS or not is_english(rest):
        return text
    return rest
