"""Which pieces of a message are written in another language than English (routing policy rule 6).

The customers here write English; a sentence, line or clause in another language inside an English message is
never the customer's issue (it is an instruction to the machine, or a quote). Recognised by the function words
of the language, not by its routing vocabulary: every sentence of a language needs its articles, pronouns,
prepositions and particles, whatever it asks for, so a phrasing never seen before is still caught.

Why no offline language-identification library: the pieces are short (3 to 15 words), where character-n-gram
identifiers (langid, fastText's lid.176, lingua) are unreliable and either heavy to load (fastText, lingua's
models: tens of MB) or slow per call (langdetect is random and ~1 ms a piece); a set lookup per word costs
microseconds and is deterministic. Latin-script languages only: other scripts are caught by their letters
(agents.lexicon.instructions).

A word counts for a language only when English has no such word ("de", "la", "die", "an", "to", "do" are left
out), so that an English sentence with a foreign name in it ("a charge from Café de Flore", "gracias for the
help") stays English: it takes two foreign words and more foreign than English ones.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["english_words", "foreign_words", "is_english", "is_other_language"]


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
