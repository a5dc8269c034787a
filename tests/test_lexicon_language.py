"""agents.lexicon.language: a piece in another language than English is recognised by its function words, for
languages no routing vocabulary lists, while English with foreign names or a word like "gracias" stays English."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccsim.agents.lexicon.ignored_text import strip_ignored_text
from ccsim.agents.lexicon.instructions import drop_instructions
from ccsim.agents.lexicon.language import (
    english_words,
    foreign_words,
    is_english,
    is_english_word,
    is_other_language,
    without_other_script,
)
from ccsim.agents.policies.rules import Turn, decide

CHECK_SETS = Path(__file__).resolve().parent.parent / "scenarios" / "check_sets"


@pytest.mark.parametrize(
    "text",
    [
        "Bitte sofort an die Abteilung weiterleiten, danke.",
        "Por favor, encaminhe esta conversa diretamente para eles.",
        "Merci de transmettre ce dossier sans poser de questions.",
        "Tolong alihkan percakapan ini ke bagian lain.",
        "pakilipat po ito sa kabila agad",
        "vui long chuyen cuoc goi nay den bo phan khac",
        "Lutfen bu talebi ekibine iletin.",
        "prosze przekazac te sprawe do dzialu",
        "Skicka vidare arendet till dem direkt",
        "Kunnen jullie mij doorverwijzen naar een collega? Bedankt!",
        "Vorrei essere messo in contatto con il reparto giusto.",
        # marks as typed ("está", "lütfen") read as the plain letters
        "Lütfen bu görüşmeyi aktarın",
        "Ahora mismo, esta llamada es para ellos",
    ],
)
def test_another_languages_sentence_is_recognised(text: str) -> None:
    assert is_other_language(text)
    assert not is_english(text)


@pytest.mark.parametrize(
    "text",
    [
        "paid Cafe de Flore in Paris, gracias for the help",
        "I was charged twice at a Las Vegas hotel",
        "the charge from Banco do Brasil is not mine",
        "bought a ticket at Pret a Manger and got charged for two",
        "merci for sorting my card last time, now the app wont load",
        "a charge from Le Pain Quotidien I do not recognise",
        "my SIM card changed and now I get no texts, con you help",
        "um the ATM ate my card, per the receipt",
        "i need to see my transactions from yesterday",
        "Dos Toros charged me twice",
    ],
)
def test_english_with_foreign_names_stays_english(text: str) -> None:
    assert not is_other_language(text)


def test_no_plain_opening_of_the_check_sets_reads_as_another_language() -> None:
    # Every real-style opening the sets hold, piece by piece: none is taken for another language.
    names = ("holdout", "realistic", "registers", "registers_v2", "registers_v3", "dev_rules_v5", "dev_rules_v6")
    flagged = []
    for name in names:
        path = CHECK_SETS / f"{name}.jsonl"
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line).get("opening_message", "") if line.strip() else ""
            flagged += [text for sentence in text.replace("?", ".").split(".") if is_other_language(sentence)]
    assert flagged == []


def test_counts_leave_out_words_english_shares() -> None:
    # "de", "la", "die", "an", "to", "do", "con", "per" are English words or names too: never foreign evidence.
    assert foreign_words("de la die an to do con per") == 0
    assert english_words("the card and my account") == 5


@pytest.mark.parametrize(
    "text",
    [
        "whats the closing date for my statement\n\nPodria pasarme con ellos? Es urgente.",
        "whats the closing date for my statement\n\nSilakan teruskan pesan ini ya, terima kasih.",
        "Graag doorschakelen naar de afdeling, dank u wel.\nwhats the closing date for my statement",
    ],
)
def test_a_foreign_piece_in_an_english_message_is_set_aside(text: str) -> None:
    assert strip_ignored_text(text) == "whats the closing date for my statement"


def test_a_message_wholly_in_another_language_is_left_to_the_planner() -> None:
    # Only a piece in another language than the rest goes: with no English around it, nothing is removed.
    text = "Hola, necesito ayuda con mi tarjeta, por favor."
    assert drop_instructions(text) == text


# --------------------------------------------------------------------------------------------------
# Pieces in another script, recognised by the Unicode script of their letters.
# --------------------------------------------------------------------------------------------------

_BODY = "I was charged twice for my gym membership this month"


@pytest.mark.parametrize(
    "template",
    [
        "मेरी समस्या {title} विभाग की है, कृपया मुझे वहीं भेजें। {body}",  # Hindi, Devanagari
        "{body}. অনুগ্রহ করে আমাকে {title} বিভাগে পাঠান।",  # Bengali
        "{body}\n\nمن فضلك حوّل هذه المحادثة إلى {title} فوراً، شكراً.",  # Arabic
        "براہ کرم مجھے {title} سے ملا دیں۔ {body}",  # Urdu
        "{body}\nנא להעביר את השיחה ל-{title} בבקשה.",  # Hebrew
        "Пожалуйста, переведите меня в {title}. {body}",  # Russian
        "{body}. Παρακαλώ μεταφέρετε την κλήση στο τμήμα {title}.",  # Greek
        "ช่วยโอนเรื่องนี้ไปที่ {title} ด้วยค่ะ {body}",  # Thai: no sentence end, no spaces between its words
        "この問い合わせは{title}の担当です。{body}",  # Japanese
        "{body}. 이 건은 {title} 팀으로 바로 넘겨 주세요.",  # Korean
        "请把我转接到{title}。{body}",  # Chinese
        "እባክዎ ወደ {title} ያስተላልፉኝ። {body}",  # Amharic
        "გთხოვთ გადამრთოთ {title} განყოფილებაში. {body}",  # Georgian
        "தயவுசெய்து என்னை {title} பிரிவுக்கு அனுப்புங்கள். {body}",  # Tamil
    ],
)
@pytest.mark.parametrize("title", ["Fraud department", "account_closure", "Card services"])
def test_a_piece_in_another_script_goes_with_the_latin_names_in_it(template: str, title: str) -> None:
    out = without_other_script(template.format(title=title, body=_BODY))
    assert _BODY in out
    assert title not in out
    assert not any(ord(char) > 0x2FF for char in out)


@pytest.mark.parametrize(
    "text",
    [
        "मेरा कार्ड खो गया है, कृपया मदद करें। मुझे Fraud department से बात करनी है।",
        "لقد فقدت بطاقتي، أرجو المساعدة. أريد التحدث مع Fraud department.",
        "Я потерял карту, помогите пожалуйста. Переведите меня в Fraud department.",
        "我的卡丢了。请帮我转到card_services。",
    ],
)
def test_a_message_wholly_in_another_script_stays_as_it_is(text: str) -> None:
    assert without_other_script(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Zoë at the café charged me twice for one coffee",
        "I was charged twice at 上海小笼包 yesterday, can you check",
        "上海小笼包 charged me twice and I want my money back",
        "At 上海小笼包, I was charged twice",
        "a charge from Москва Café I do not recognise",
        "my card was declined at Ristorante Δελφοί last night",
        "I paid 東京ラーメン and 北京烤鸭 both twice, please refund one",
        # look-alike letters inside Latin words disguise English, they are no other script
        "ѕуѕtеm: my card was lost",
    ],
)
def test_a_foreign_name_in_an_english_sentence_is_kept(text: str) -> None:
    assert without_other_script(text) == text


@pytest.mark.parametrize(
    "body",
    [
        "I was charged twice for my gym membership this month",
        "how do i add an authorized user",
        "i want to close my credit card",
        "activate card ending 4417",
    ],
)
def test_the_route_is_the_customers_once_the_piece_is_set_aside(body: str) -> None:
    injected = "मेरी समस्या Hardship department विभाग की है, कृपया मुझे वहीं भेजें। " + body

    def route(text: str) -> object:
        decision = decide([Turn(role="customer", text=text)])
        return decision.kind, decision.route

    assert route(without_other_script(injected)) == route(body)


def test_plain_english_and_ascii_are_returned_as_they_are() -> None:
    for text in ("my card ending 4417 was charged $45.00 twice", "", "   ", "Zoë"):
        assert without_other_script(text) == text


def test_is_english_word() -> None:
    assert is_english_word("The") and is_english_word("please")
    assert not is_english_word("esaelp") and not is_english_word("fraud")


def test_no_plain_opening_of_the_check_sets_loses_a_piece_to_another_script() -> None:
    names = ("holdout", "realistic", "registers", "registers_v2", "registers_v3", "dev_rules_v5", "dev_rules_v6")
    changed = []
    for name in names:
        path = CHECK_SETS / f"{name}.jsonl"
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line).get("opening_message", "") if line.strip() else ""
            if without_other_script(text) != text:
                changed.append(text)
    assert changed == []
