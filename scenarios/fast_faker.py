"""A Faker whose weighted picks cost O(log n) instead of O(n), drawing exactly what a plain Faker draws.

Faker's `random_elements` rebuilds the cumulative weights of a weighted table (7,000 first names, 1,000 last
names...) on every call, through `random.choices(weights=...)`. `random.choices` documents that it turns
weights into cumulative weights before it draws, so handing it the same cumulative weights, computed once
per table, consumes the same random numbers and returns the same element. The generator calls Faker a dozen
times per customer: the rebuilt sums were about a sixth of a scenario's time.

Only this instance changes: each of its providers gets an instance attribute that shadows the class's
method, so other Faker objects in the process keep Faker's own behaviour.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cache
from types import MethodType
from typing import Any

from faker import Faker
from faker.providers import BaseProvider

# id(table) -> (keys, cumulative weights, the table itself: held so that its id cannot be reused).
_Tables = dict[int, tuple[tuple[Any, ...], list[float], OrderedDict[Any, float]]]


def _cached_random_elements(tables: _Tables) -> Callable[..., Sequence[Any]]:
    def random_elements(
        self: BaseProvider,
        elements: Any = ("a", "b", "c"),
        length: int | None = None,
        unique: bool = False,
        use_weighting: bool | None = None,
    ) -> Sequence[Any]:
        weighted = use_weighting if use_weighting is not None else self.__use_weighting__
        if unique or length is None or not weighted or not isinstance(elements, OrderedDict):
            # Everything else is Faker's own code (it copies nothing big on these paths).
            return BaseProvider.random_elements(self, elements, length, unique, use_weighting)
        table = tables.get(id(elements))
        if table is None:
            # Faker's tables are constants of the provider classes: cached once, never stale.
            table = tables[id(elements)] = (tuple(elements), list(itertools.accumulate(elements.values())), elements)
        return self.generator.random.choices(table[0], cum_weights=table[1], k=length)

    return random_elements


def fast_faker(locale: str = "en_US") -> Faker:
    """A new Faker for `locale` that draws the same values as `Faker(locale)` for every seed, faster.

    Building one costs what building a Faker costs (the first in a process imports the locale's providers,
    ~70 ms): make one per process and reseed it.
    """
    faker = Faker(locale)
    method = _cached_random_elements({})
    for provider in faker.get_providers():
        # An instance attribute: the class, and every other Faker, keep Faker's own method.
        provider.random_elements = MethodType(method, provider)
    return faker


@cache
def process_faker() -> Faker:
    """The process's shared en_US fast Faker. The generator reseeds it for every scenario, so sharing it (across
    shards, across imported records) changes no output; building one per use costs ~2 ms, more than a record."""
    return fast_faker("en_US")
