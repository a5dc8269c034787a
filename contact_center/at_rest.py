"""What may be stored at rest (issue 11): capped text with a visible marker, and the mark a stored planner turn
carries when what is stored is no longer what the model generated.

A planner turn whose text had to change before it could be stored (a card number, SSN or CVV masked, or an
oversized reply cut) keeps its masked or cut text, loses its OpenAI `Choice` (whose logprobs spell the
original tokens), and carries `ALTERED_KEY`. Such a turn never reaches training: a trajectory must describe
what the model generated, token for token, and the stored text no longer does. The reward penalises the
sensitive case (`contact_center.reward.sensitive_numbers`), so a policy learns not to write them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

ALTERED_KEY = "ccsim_altered"
SENSITIVE = "sensitive"
TRUNCATED = "truncated"
# The longest text stored for one message or argument; a planner message to the customer is capped lower
# by EpisodeConfig.max_message_chars, so this only bites on replies nobody should keep in full.
MAX_STORED_CHARS = 16_000


def truncate(text: str, limit: int = MAX_STORED_CHARS) -> tuple[str, bool]:
    """`text` cut to `limit` characters with a visible marker saying how much was dropped."""
    if len(text) <= limit:
        return text, False
    return f"{text[:limit]} [... truncated by ccsim: {len(text) - limit:,} more characters]", True


def altered_turns(messages: Iterable[dict[str, Any]]) -> Counter[str]:
    """How many stored planner turns were altered, by reason ('sensitive', 'truncated')."""
    counts: Counter[str] = Counter()
    for message in messages:
        for reason in str(message.get(ALTERED_KEY) or "").split(","):
            if reason:
                counts[reason] += 1
    return counts
