"""Issue 10: the fast generation path writes the bytes of the plain one, in the same tree.

The plain path is the code as it was before the speedups: Faker("en_US") as is, descriptors filled one
character at a time with rng.choice, every purchase through add_transaction and money(), one scenario at a
time through write_scenarios. benchmarks/scenario_generation.py defines it (and times it against the fast
path); it is patched in here for the comparison, so the test holds whatever the generator's content is.
"""

from __future__ import annotations

import gc
import random
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest
from faker import Faker
from faker.providers import BaseProvider

from ccsim.scenarios import bank_data as bd
from ccsim.scenarios import sharding
from ccsim.scenarios.fast_faker import fast_faker
from ccsim.scenarios.generator import GenerationConfig, iter_scenarios, reference_date
from ccsim.scenarios.io import write_scenarios
from ccsim.scenarios.sharding import write_generated

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from scenario_generation import plain_everyday_purchases, plain_fill_descriptor, plain_path  # noqa: E402

PATTERNS = sorted(
    {m.descriptor for m in bd.MERCHANTS + bd.SUBSCRIPTIONS + bd.UNKNOWN_MERCHANTS + bd.OPAQUE_DESCRIPTORS}
    | {"{d}", "{a}", "", "NO SLOTS", "{{d}}", "{x}{d}", "{d", "A{a}{a}{d}Z"}
)
# The Faker calls the customer record makes.
FAKER_CALLS = (
    "first_name",
    "last_name",
    "street_address",
    "city",
    "state_abbr",
    "zipcode",
    "free_email_domain",
    "name",
)


class _SubclassedRandom(random.Random):
    """A Random whose choice() is its own: fill_descriptor must use it, not CPython's draw."""

    def choice(self, seq):  # type: ignore[no-untyped-def]
        return seq[-1]


def test_fill_descriptor_draws_what_rng_choice_draws() -> None:
    for seed in range(300):
        fast, plain = random.Random(seed), random.Random(seed)
        assert [bd.fill_descriptor(p, fast) for p in PATTERNS] == [plain_fill_descriptor(p, plain) for p in PATTERNS]
        assert fast.random() == plain.random()  # the same draws consumed, not only the same text
    odd = _SubclassedRandom(1)
    assert bd.fill_descriptor("X{d}{a}", odd) == "X99"


def test_everyday_purchases_are_those_of_the_plain_loop() -> None:
    faker = Faker("en_US")

    def drafts() -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        for seed in range(150):
            faker.seed_instance(seed)
            rng = random.Random(f"customer/{seed}")
            draft = bd.build_customer_draft(rng, faker, reference_date(seed))
            out.append((draft.profile, draft.account, draft.cards, draft.transactions, draft.next_txn, rng.random()))
        return out

    fast = drafts()
    with plain_path():
        assert bd._add_everyday_purchases is plain_everyday_purchases
        plain = drafts()
    assert fast == plain
    assert sum(len(d[3]) for d in fast) > 150 * 10  # the histories were not empty


def test_fast_faker_draws_what_faker_draws() -> None:
    fast, plain = fast_faker(), Faker("en_US")
    for seed in range(400):
        fast.seed_instance(seed)
        plain.seed_instance(seed)
        assert [getattr(fast, m)() for m in FAKER_CALLS] == [getattr(plain, m)() for m in FAKER_CALLS]
        assert fast.random.random() == plain.random.random()
    # Other weighted and unweighted picks, with and without a length, unique or not.
    table = OrderedDict([("a", 0.5), ("b", 0.2), ("c", 0.3)])
    provider = fast.get_providers()[0]
    fast.seed_instance(9)
    plain.seed_instance(9)
    twin = plain.get_providers()[0]
    for args in ((table, 5), (table, None), (table, 2, True), (("x", "y"), 3), (table, 4, False, False)):
        assert provider.random_elements(*args) == twin.random_elements(*args)


def test_fast_faker_leaves_other_fakers_alone() -> None:
    fast, plain = fast_faker(), Faker("en_US")
    assert all("random_elements" in vars(p) for p in fast.get_providers())
    assert not any("random_elements" in vars(p) for p in plain.get_providers())
    assert BaseProvider.random_elements.__module__ == "faker.providers"


CONFIGS = {
    "default": GenerationConfig(count=60, seed=7),
    "adversarial": GenerationConfig(
        count=40, seed=3, route_mix={"fraud": 2, "disputes": 1, "hardship": 1}, difficulty_mix={"adversarial": 1}
    ),
}


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_the_fast_path_writes_the_plain_paths_bytes(tmp_path: Path, name: str, suffix: str) -> None:
    config = CONFIGS[name]
    reference = tmp_path / f"plain{suffix}"
    with plain_path():
        write_scenarios(reference, iter_scenarios(config, faker=Faker("en_US")))  # one scenario at a time
    for workers in (1, 2):
        out = tmp_path / f"fast{workers}{suffix}"
        write_generated(out, config, workers=workers, shard_size=7)
        assert out.read_bytes() == reference.read_bytes(), f"workers={workers}"


def test_a_shard_collects_garbage_less_often_and_puts_the_threshold_back(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, ...]] = []

    def recording(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.get_threshold())
        return iter_scenarios(*args, **kwargs)

    monkeypatch.setattr(sharding, "iter_scenarios", recording)
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        sharding.generate_shard(GenerationConfig(count=2, seed=1), 0, 2)
        assert seen == [(sharding.GC_YOUNG_THRESHOLD, 10, 10)]
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)
