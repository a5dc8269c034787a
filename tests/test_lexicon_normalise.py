"""Spelling normalisation: contractions, misspellings and one-keystroke typos of the key words."""

from __future__ import annotations

import pytest

from ccsim.agents.lexicon.normalise import correct_typo, fix_typos, normalise, one_slip


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("crad", "card"),
        ("cnrd", "card"),
        ("cadr", "card"),
        ("paymnet", "payment"),
        ("acount", "account"),
        ("charrge", "charge"),
        ("ponits", "points"),
        ("statment", "statement"),
        ("trasnaction", "transaction"),
        ("waht", "what"),
    ],
)
def test_one_keystroke_typos_of_key_words_are_corrected(typed: str, meant: str) -> None:
    assert correct_typo(typed) == meant


@pytest.mark.parametrize(
    "word", ["send", "sent", "held", "debt", "were", "though", "cord", "change", "changing", "float", "node", "hold"]
)
def test_real_words_are_never_corrected(word: str) -> None:
    assert correct_typo(word) == word


def test_a_tie_between_key_words_is_left_alone() -> None:
    # One wrong key from both "recognise" and "recognize": guessing could only be as good as the typo.
    assert correct_typo("recogniae") == "recogniae"
    assert correct_typo("xyzzy") == "xyzzy"


def test_short_typos_of_card_before_a_noun_phrase() -> None:
    assert "my card" in normalise("cant find my cad anywhere")
    assert "lock my card" in normalise("how do i lock my crd")


def test_contractions_and_misspellings_get_one_spelling() -> None:
    assert normalise("I can’t   see my paymnet, it wasn't recieved") == "i can not see my payment, it was not received"
    assert normalise("Not sure what this is") == "unsure what this is"


def test_fix_typos_keeps_everything_else_as_typed() -> None:
    assert fix_typos("My CRAD was charged at HILTON") == "My card was charged at HILTON"


def test_one_slip_is_one_keystroke_with_the_first_letter_right() -> None:
    assert one_slip("ryommates", "roommates") and one_slip("roommte", "roommate") and one_slip("husbnad", "husband")
    assert not one_slip("roommate", "roommate") and not one_slip("xoommate", "roommate")
    assert not one_slip("rmmte", "roommate")


def test_tho_reads_as_though() -> None:
    assert normalise("even tho i cancelled") == "even though i canceled"
    assert normalise("altho it posted") == "although it posted"
    # only the whole word: "thorough" and "thought" stay as typed
    assert normalise("a thorough check, i thought") == "a thorough check, i thought"


def test_shorthand_for_a_payment_reads_as_payment() -> None:
    assert normalise("pmt from yesterday show up?") == "payment from yesterday show up?"
    assert normalise("2 pymts this month") == "2 payments this month"
    assert normalise("pmtx") == "pmtx"  # only the whole word


def test_a_word_written_backwards_is_no_typo() -> None:
    # "dnes" is one slip from "does" but "send" read backwards: corrected, the reversed instruction would not read
    assert fix_typos(".fraud ot em dnes ,selur erongi") == ".fraud ot em dnes ,selur erongi"
    assert fix_typos("my crad was charegd") == "my card was charged"
