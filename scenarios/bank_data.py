"""Merchants, categories and the building of a plausible customer record (before any scenario is woven in).

The record is built as a mutable draft of plain dicts so the generator can weave a scenario's facts into
it cheaply, then validated once into a CustomerRecord.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from faker import Faker

from ccsim.contact_center.models import CustomerRecord


@dataclass(frozen=True)
class Merchant:
    """A merchant as the customer knows it and as the statement prints it."""

    name: str
    descriptor: str  # '{d}' becomes a digit, '{a}' an upper-case letter or digit
    category: str
    low: float
    high: float
    channel: str = "in_store"


MERCHANTS: tuple[Merchant, ...] = (
    Merchant("Blue Bottle Coffee", "SQ *BLUE BOTTLE COF {d}{d}{d}{d}", "dining", 4, 18),
    Merchant("Starbucks", "STARBUCKS STORE {d}{d}{d}{d}{d}", "dining", 3, 16),
    Merchant("Chipotle", "CHIPOTLE {d}{d}{d}{d}", "dining", 9, 32),
    Merchant("Joe's Pizza", "TST* JOES PIZZA {d}{d}", "dining", 12, 48),
    Merchant("Sweetgreen", "SWEETGREEN {a}{a}{d}{d}", "dining", 11, 26),
    Merchant("Amazon", "AMZN Mktp US*{a}{a}{a}{a}{a}", "shopping", 8, 180, "online"),
    Merchant("Target", "TARGET {d}{d}{d}{d}{d}{d}", "shopping", 9, 140),
    Merchant("Walmart", "WAL-MART #{d}{d}{d}{d}", "groceries", 12, 160),
    Merchant("Costco", "COSTCO WHSE #{d}{d}{d}{d}", "groceries", 40, 320),
    Merchant("Trader Joe's", "TRADER JOE S #{d}{d}{d}", "groceries", 18, 120),
    Merchant("Whole Foods", "WHOLEFDS {a}{a}{a} {d}{d}{d}{d}{d}", "groceries", 15, 140),
    Merchant("Kroger", "KROGER #{d}{d}{d}", "groceries", 20, 150),
    Merchant("Shell", "SHELL OIL {d}{d}{d}{d}{d}{d}{d}", "gas", 25, 80),
    Merchant("Chevron", "CHEVRON {d}{d}{d}{d}{d}{d}", "gas", 25, 85),
    Merchant("Uber", "UBER *TRIP {a}{a}{a}{a}", "transport", 8, 60, "online"),
    Merchant("Lyft", "LYFT *RIDE {a}{a}{a} {d}{d}", "transport", 8, 55, "online"),
    Merchant("DoorDash", "DD *DOORDASH {a}{a}{a}{a}", "dining", 18, 70, "online"),
    Merchant("Steam", "PAYPAL *STEAMGAMES", "entertainment", 5, 70, "online"),
    Merchant("eBay", "PAYPAL *EBAY {a}{a}{a}", "shopping", 10, 200, "online"),
    Merchant("Apple", "APPLE.COM/BILL", "electronics", 1, 30, "online"),
    Merchant("Best Buy", "BESTBUY {d}{d}{d}{d}{d}{d}{d}", "electronics", 20, 600),
    Merchant("Home Depot", "THE HOME DEPOT #{d}{d}{d}{d}", "home", 15, 300),
    Merchant("IKEA", "IKEA {a}{a}{a}{a}", "home", 20, 400),
    Merchant("CVS", "CVS/PHARMACY #{d}{d}{d}{d}{d}", "health", 5, 60),
    Merchant("Walgreens", "WALGREENS #{d}{d}{d}{d}", "health", 5, 55),
    Merchant("Delta", "DELTA AIR {d}{d}{d}{d}{d}{d}", "travel", 120, 650, "online"),
    Merchant("Marriott", "MARRIOTT {a}{a}{a}{a} {d}{d}{d}", "travel", 110, 480),
    Merchant("Airbnb", "AIRBNB * HM{a}{a}{a}{a}{a}", "travel", 90, 700, "online"),
    Merchant("Etsy", "ETSY, INC.", "shopping", 12, 90, "online"),
    Merchant("Nike", "NIKE.COM {a}{a}{d}{d}", "shopping", 40, 200, "online"),
    Merchant("Sephora", "SEPHORA.COM {d}{d}{d}{d}", "shopping", 18, 120, "online"),
    Merchant("Ticketmaster", "TM *TICKETMASTER", "entertainment", 35, 300, "online"),
    Merchant("AMC Theatres", "AMC {d}{d}{d}{d} ONLINE", "entertainment", 12, 45, "online"),
    Merchant("Petco", "PETCO {d}{d}{d}{d}", "pets", 10, 90),
    Merchant("Chewy", "CHEWY.COM", "pets", 20, 120, "online"),
)

SUBSCRIPTIONS: tuple[Merchant, ...] = (
    Merchant("Netflix", "NETFLIX.COM", "subscriptions", 7.99, 22.99, "recurring"),
    Merchant("Spotify", "Spotify USA", "subscriptions", 10.99, 16.99, "recurring"),
    Merchant("Hulu", "HLU*HULU {d}{d}{d}{d}", "subscriptions", 7.99, 17.99, "recurring"),
    Merchant("Planet Fitness", "PLANET FIT CLUB FEES", "fitness", 10, 25, "recurring"),
    Merchant("Adobe", "ADOBE *CREATIVE CLD", "subscriptions", 19.99, 59.99, "recurring"),
    Merchant("YouTube Premium", "GOOGLE *YouTubePremium", "subscriptions", 11.99, 22.99, "recurring"),
    Merchant("Audible", "Audible*{a}{a}{a}{a}{a}", "subscriptions", 14.95, 14.95, "recurring"),
    Merchant("Peloton", "PELOTON* MEMBERSHIP", "fitness", 24, 44, "recurring"),
    Merchant("HelloFresh", "HELLOFRESH {a}{a}{a}", "groceries", 59, 89, "recurring"),
    Merchant("Disney+", "DISNEY PLUS", "subscriptions", 7.99, 13.99, "recurring"),
)

# Merchants the customer has never heard of (fraud): no everyday name a customer would know.
UNKNOWN_MERCHANTS: tuple[Merchant, ...] = (
    Merchant("Zentrix Digital", "ZENTRIX*DIGITAL {d}{d}{d}{d}", "digital_goods", 19, 480, "online"),
    Merchant("Kvell Electronics", "KVELL ELEC {a}{a}{d}{d}", "electronics", 80, 900, "online"),
    Merchant("Lumora Trading", "LUMORA TRADING LTD", "shopping", 25, 600, "online"),
    Merchant("Ostrava Gift Cards", "OSTRAVA GC {d}{d}{d}{d}", "gift_cards", 50, 500, "online"),
    Merchant("Quillon Media", "QUILLON*MEDIA {a}{a}{a}", "digital_goods", 9, 99, "online"),
    Merchant("Brightway Wireless", "BRIGHTWAY WRLS {d}{d}{d}", "telecom", 40, 350),
    Merchant("Nexa Crypto", "NEXA*CRYPTO EXCH", "crypto", 100, 1500, "online"),
    Merchant("Harlow Luxury", "HARLOW LUX {d}{d}{d}{d}", "shopping", 150, 1200),
    Merchant("Vexon Games", "VEXON GAMES {a}{a}{a}{a}", "entertainment", 20, 250, "online"),
    Merchant("Pacifica Fuel Stop", "PACIFICA FUEL {d}{d}{d}{d}{d}", "gas", 40, 120),
    Merchant("Orbis Travel Deals", "ORBIS TRVL {a}{a}{d}{d}{d}", "travel", 200, 1400, "online"),
    Merchant("Sable & Finch", "SABLE FINCH {d}{d}{d}", "shopping", 60, 700),
)

# Merchants whose statement name hides the everyday name (the customer recognises it once explained).
OPAQUE_DESCRIPTORS: tuple[Merchant, ...] = (
    Merchant("Steam", "PAYPAL *VALVE CORP {d}{d}{d}", "entertainment", 5, 70, "online"),
    Merchant("Apple", "APL*ITUNES.COM/BILL", "subscriptions", 0.99, 30, "online"),
    Merchant("Amazon", "AMZN Mktp US*{a}{a}{d}{a}{d}", "shopping", 8, 180, "online"),
    Merchant("Joe's Pizza", "TST* JP HOLDINGS LLC {d}{d}", "dining", 12, 48),
    Merchant("the farmers market", "SQ *GREEN ACRES FM {d}{d}{d}{d}", "groceries", 8, 60),
    Merchant("the parking garage", "PMC PARKING {d}{d}{d}{d}{d}", "transport", 6, 40),
    Merchant("Uber Eats", "UBER *EATS PENDING", "dining", 15, 60, "online"),
    Merchant("Google Play", "GOOGLE *Google Storage", "subscriptions", 1.99, 9.99, "online"),
    Merchant("the dentist", "SMILECARE PC {d}{d}{d}", "health", 40, 300),
    Merchant("the kids' school fundraiser", "SP * BOOSTERCLUB {d}{d}", "charity", 10, 80, "online"),
    Merchant("Chick-fil-A", "CFA #{d}{d}{d}{d}{d}", "dining", 7, 30),
    Merchant("Hilton", "HILTON GARDEN INN {a}{a}{a}", "travel", 110, 420),
)

COUNTRIES: tuple[str, ...] = (
    "Mexico", "Canada", "Italy", "Japan", "France", "Spain", "the UK", "Germany", "Portugal", "Costa Rica",
    "Thailand", "Ireland", "Greece", "Brazil", "Iceland", "the Dominican Republic", "Colombia", "Vietnam",
)  # fmt: skip

COMPETITORS: tuple[str, ...] = ("Chase", "Capital One", "Citi", "Discover", "Amex", "my credit union", "Wells Fargo")

NETWORKS: tuple[str, ...] = ("visa", "mastercard", "amex", "discover")

TONES = ("calm", "polite", "anxious", "frustrated", "angry", "confused")
VERBOSITY = ("terse", "normal", "chatty")
TYPING = ("clean", "casual", "sloppy")


# A descriptor pattern's pieces: (literal text, 0, 0), or (alphabet, its length, bits per draw) for a slot.
_Piece = tuple[str, int, int]
_SLOTS = {"{d}": string.digits, "{a}": string.ascii_uppercase + string.digits}


@functools.lru_cache(maxsize=1024)
def _pieces(pattern: str) -> tuple[_Piece, ...]:
    # Split once per pattern (a few dozen merchants): the character loop cost a quarter of a scenario.
    pieces: list[_Piece] = []
    for text in re.split(r"(\{[da]\})", pattern):
        alphabet = _SLOTS.get(text)
        if alphabet is not None:
            pieces.append((alphabet, len(alphabet), len(alphabet).bit_length()))
        elif text:
            pieces.append((text, 0, 0))
    return tuple(pieces)


def fill_descriptor(pattern: str, rng: random.Random) -> str:
    """Replace '{d}' with digits and '{a}' with letters or digits, as statement descriptors look.

    Each slot draws what `rng.choice(alphabet)` draws (tests/test_generation_speed_identity.py holds the two
    side by side), without its three Python calls per character: a transaction history has ~100 of them.
    """
    if type(rng) is not random.Random:  # a subclass may draw differently: use its own choice()
        return "".join(rng.choice(text) if n else text for text, n, _bits in _pieces(pattern))
    return _fill_fast(pattern, rng.getrandbits)


def _fill_fast(pattern: str, getrandbits: Callable[[int], int]) -> str:
    out: list[str] = []
    for text, n, bits in _pieces(pattern):
        if n:
            # CPython's Random.choice: seq[_randbelow(len(seq))], by rejection over bit_length() bits.
            r = getrandbits(bits)
            while r >= n:
                r = getrandbits(bits)
            out.append(text[r])
        else:
            out.append(text)
    return "".join(out)


def money(rng: random.Random, low: float, high: float) -> float:
    return round(rng.uniform(low, high), 2)


@dataclass
class RecordDraft:
    """A customer record under construction: plain dicts, validated once by to_record()."""

    profile: dict[str, Any]
    verification: dict[str, Any]
    account: dict[str, Any]
    cards: list[dict[str, Any]]
    transactions: list[dict[str, Any]] = field(default_factory=list)
    reference_date: dt.date = dt.date(2025, 1, 1)
    next_txn: int = 1

    def new_txn_id(self) -> str:
        tid = f"tx-{self.next_txn:04d}"
        self.next_txn += 1
        return tid

    def add_transaction(
        self,
        rng: random.Random,
        merchant: Merchant,
        date: dt.date,
        amount: float,
        *,
        card_id: str | None,
        status: str = "posted",
        kind: str = "purchase",
        descriptor: str | None = None,
    ) -> dict[str, Any]:
        txn = {
            "transaction_id": self.new_txn_id(),
            "date": date,
            "merchant": merchant.name,
            "descriptor": descriptor or fill_descriptor(merchant.descriptor, rng),
            "category": merchant.category,
            "amount": round(amount, 2),
            "status": status,
            "kind": kind,
            "card_id": card_id,
            "channel": merchant.channel,
        }
        self.transactions.append(txn)
        return txn

    def primary_card(self) -> dict[str, Any]:
        return self.cards[0]

    def sort_transactions(self) -> None:
        self.transactions.sort(key=lambda t: (t["date"], t["transaction_id"]))

    def recompute_balances(self) -> None:
        """Keep the account's balances consistent with its transactions."""
        total = round(sum(t["amount"] for t in self.transactions), 2)
        self.account["current_balance"] = round(self.account["opening_balance"] + total, 2)

    def to_record(self) -> CustomerRecord:
        self.sort_transactions()
        self.recompute_balances()
        account = {k: v for k, v in self.account.items() if k != "opening_balance"}
        return CustomerRecord.model_validate(
            {
                "profile": self.profile,
                "verification": self.verification,
                "account": account,
                "cards": self.cards,
                "transactions": self.transactions,
            }
        )


def _persona(rng: random.Random) -> dict[str, Any]:
    return {
        "tone": rng.choice(TONES),
        "verbosity": rng.choices(VERBOSITY, weights=(3, 5, 2))[0],
        "patience": rng.randint(2, 10),
        "typing": rng.choices(TYPING, weights=(3, 4, 3))[0],
    }


def _expiry(rng: random.Random, reference_date: dt.date) -> str:
    year = (reference_date.year + rng.randint(1, 4)) % 100
    return f"{rng.randint(1, 12):02d}/{year:02d}"


def build_customer_draft(rng: random.Random, faker: Faker, reference_date: dt.date) -> RecordDraft:
    """A plausible customer with 1-3 cards and 20-90 days of everyday transactions."""
    first, last = faker.first_name(), faker.last_name()
    address = f"{faker.street_address()}, {faker.city()}, {faker.state_abbr()} {faker.zipcode()}"
    email_user = f"{first}.{last}".lower().replace("'", "")
    profile = {
        "customer_id": f"cu-{rng.getrandbits(40):010x}",
        "first_name": first,
        "last_name": last,
        "email": f"{email_user}{rng.randint(1, 99)}@{faker.free_email_domain()}",
        "phone": f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}",
        "address": address,
        "date_of_birth": reference_date - dt.timedelta(days=rng.randint(21 * 365, 82 * 365)),
        "ssn_last4": f"{rng.randint(0, 9999):04d}",
        "persona": _persona(rng),
    }
    verification = {"verified": rng.random() < 0.8, "method": "none"}
    if verification["verified"]:
        verification["method"] = rng.choice(("otp", "security_questions", "app_login"))

    credit_limit = float(rng.choice((1000, 2500, 3000, 5000, 7500, 10000, 12000, 15000, 20000, 25000)))
    statement_balance = money(rng, 0.05 * credit_limit, 0.6 * credit_limit)
    due_date = reference_date + dt.timedelta(days=rng.randint(3, 24))
    account = {
        "account_id": f"acct-{rng.randint(10_000_000, 99_999_999)}",
        "credit_limit": credit_limit,
        "opening_balance": money(rng, 0.0, 0.3 * credit_limit),
        "current_balance": 0.0,
        "statement_balance": statement_balance,
        "apr": round(rng.uniform(15.99, 29.99), 2),
        "payment_due_date": due_date,
        "minimum_payment": round(max(25.0, statement_balance * 0.02), 2) if statement_balance > 25 else 25.0,
        "last_payment_date": None,
        "last_payment_amount": None,
        "status": "open",
        "days_past_due": 0,
        "rewards_points": rng.randint(0, 120_000),
        "autopay": rng.choices(("off", "minimum", "statement", "full"), weights=(4, 2, 2, 2))[0],
        "opened_on": reference_date - dt.timedelta(days=rng.randint(200, 6000)),
    }
    holder = f"{first} {last}".upper()
    n_cards = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
    used_last4: set[str] = set()
    cards: list[dict[str, Any]] = []
    network = rng.choice(NETWORKS)
    for index in range(n_cards):
        last4 = f"{rng.randint(0, 9999):04d}"
        while last4 in used_last4:
            last4 = f"{rng.randint(0, 9999):04d}"
        used_last4.add(last4)
        cards.append(
            {
                "card_id": f"card-{index + 1}",
                "last_four": last4,
                "network": network,
                "holder_name": holder if index == 0 else faker.name().upper(),
                "role": "primary" if index == 0 else "authorized_user",
                "status": "active",
                "expiry": _expiry(rng, reference_date),
                "delivery": "delivered",
            }
        )
    draft = RecordDraft(profile, verification, account, cards, reference_date=reference_date)

    history_days = rng.randint(20, 90)
    favourites = rng.sample(MERCHANTS, k=rng.randint(6, 12))
    _add_everyday_purchases(draft, rng, favourites, history_days)
    if rng.random() < 0.6:
        sub = rng.choice(SUBSCRIPTIONS)
        amount = money(rng, sub.low, sub.high)
        for day in range(history_days - rng.randint(0, 29), 0, -30):
            draft.add_transaction(
                rng, sub, reference_date - dt.timedelta(days=day), amount, card_id=cards[0]["card_id"]
            )
    if history_days > 25:
        add_payment(draft, rng, reference_date - dt.timedelta(days=rng.randint(10, min(25, history_days))))
    return draft


def _add_everyday_purchases(draft: RecordDraft, rng: random.Random, favourites: list[Merchant], days: int) -> None:
    """A purchase on about half of the last `days` days, on the primary card four times in five.

    Most of a scenario's random draws happen here, so the loop saves every call it can: the draws and their
    order are those of `add_transaction(rng, m, date, money(rng, m.low, m.high), ...)` per purchase
    (tests/test_generation_speed_identity.py compares the records with that plain loop's).
    """
    random_, choice, getrandbits = rng.random, rng.choice, rng.getrandbits
    fast_fill = type(rng) is random.Random
    cards, transactions, today = draft.cards, draft.transactions, draft.reference_date
    primary = cards[0]["card_id"]
    for day in range(days, 0, -1):
        if random_() >= 0.55:
            continue
        merchant = choice(favourites)
        card_id = primary if random_() < 0.8 else choice(cards)["card_id"]
        low = merchant.low
        # money(): round(rng.uniform(low, high), 2), and uniform is documented as low + (high - low) * random().
        amount = round(low + (merchant.high - low) * random_(), 2)
        status = "pending" if day <= 2 and random_() < 0.5 else "posted"
        descriptor = (
            _fill_fast(merchant.descriptor, getrandbits) if fast_fill else fill_descriptor(merchant.descriptor, rng)
        )
        transactions.append(
            {
                "transaction_id": f"tx-{draft.next_txn:04d}",
                "date": today - dt.timedelta(days=day),
                "merchant": merchant.name,
                "descriptor": descriptor,
                "category": merchant.category,
                "amount": amount,
                "status": status,
                "kind": "purchase",
                "card_id": card_id,
                "channel": merchant.channel,
            }
        )
        draft.next_txn += 1


PAYMENT_SOURCE = Merchant("Payment - thank you", "ONLINE PAYMENT THANK YOU", "payment", 0, 0, "bank")


def add_payment(draft: RecordDraft, rng: random.Random, date: dt.date, amount: float | None = None) -> dict:
    """A payment from the customer's bank; updates last_payment_* on the account."""
    value = amount if amount is not None else money(rng, 25, max(26.0, draft.account["statement_balance"]))
    txn = draft.add_transaction(
        rng, PAYMENT_SOURCE, date, -value, card_id=None, kind="payment", descriptor=PAYMENT_SOURCE.descriptor
    )
    if draft.account["last_payment_date"] is None or date >= draft.account["last_payment_date"]:
        draft.account["last_payment_date"] = date
        draft.account["last_payment_amount"] = round(value, 2)
    return txn
