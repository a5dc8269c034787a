"""agents.lexicon.language: a piece in another language than English is recognised by its function words, for
languages no routing vocabulary lists, while English with foreign names or a word like "gracias" stays English."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccsim.agents.lexicon.ignored_text import strip_ignored_text
from ccsim.agents.lexicon.instructions import drop_instructions
from ccsim.agents.lexicon.language import english_words, foreign_words, is_english, is_other_language

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
