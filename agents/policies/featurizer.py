"""Turning the planner's view of a conversation into a sparse feature vector for the built-in policy.

The input is the planner's view in OpenAI chat format (what `Episode.planner_messages` records and what
LangChain messages convert to), so the planner at sampling time and the trainer replaying a recorded
episode featurize exactly the same thing.

Two representations share one interface (`Featurizer.featurize -> FeatureVector`):
- `hashing` (default, numpy only): hashed word uni/bi-grams and character n-grams of the customer's latest
  turn and of all their turns, plus conversation-state features (questions asked, the question the latest
  turn answers crossed with its words, whether a helper answered). Hashes are crc32, stable across processes.
  Every block read from the customer's words reads them as the rules planner does, through
  `customer_words` (on by default, `strip_ignored`): injected instructions and bare demands for a human are
  removed and a department's name reads as "the bank's team". Raw, an instruction naming a department adds that
  department's n-grams, and the generator never writes one, so nothing would teach the policy to ignore them.
  Optionally (on by default) a small dense "lexicon" block: the hand-written route scores and ambiguity flags
  of the same texts (agents.lexicon, the vocabulary the rules planner routes with). Hashed n-grams only learn
  the generator's vocabulary; the lexicon carries broad hand-written vocabulary, and RL still decides how much
  to trust it (it is just more features).
  Optionally (on by default) a "rules prior" block: the rules planner's own next move on the same conversation,
  one-hot. A linear policy then starts from the rules' decision and learns, from the n-grams, only where training
  shows the rules wrong: on words the generator never wrote it falls back to the rules instead of to noise.
- `encoder`: everything `hashing` has, plus a pretrained sentence embedding (all-MiniLM-L6-v2, run in numpy
  by `sentence_encoder`; its weights come from the optional `encoder` extra) of the latest turn and of the
  opening, cached per text.
"""

from __future__ import annotations

import functools
import json
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ccsim.agents.lexicon.evidence import MIN_EVIDENCE, customer_words, gather_evidence, pick_route
from ccsim.agents.questions import ClarifyingQuestion, classify_question
from ccsim.contact_center.taxonomy import Route, parse_route

ChatMessage = dict[str, Any]


class HashingFeaturizerConfig(BaseModel):
    """Hashed n-grams: no deep-learning framework, about a millisecond per featurization."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["hashing"] = "hashing"
    n_buckets: int = Field(default=2**18, ge=2**8, le=2**24, description="Hash buckets (feature dimension).")
    word_ngrams: int = Field(default=2, ge=1, le=3, description="Word n-grams up to this length.")
    char_ngram_min: int = Field(default=3, ge=1, le=8, description="Shortest character n-gram.")
    char_ngram_max: int = Field(default=5, ge=0, le=8, description="Longest character n-gram; 0 disables.")
    lexicon: bool = Field(
        default=True,
        description="Append the dense lexicon block (lexicon route scores and flags, LEXICON_DIM features).",
    )
    rules_prior: bool = Field(
        default=True,
        description="Append the rules planner's decision on the conversation, one-hot (RULES_PRIOR_DIM features).",
    )
    strip_ignored: bool = Field(
        default=True,
        description="Read the customer's words without what the policy ignores (injected instructions, bare demands "
        "for a human, department names) in every text block, as the rules planner reads them.",
    )

    @property
    def dim(self) -> int:
        return self.n_buckets + (LEXICON_DIM if self.lexicon else 0) + (RULES_PRIOR_DIM if self.rules_prior else 0)


# -- the lexicon block ---------------------------------------------------------------------------------------

_LEXICON_FLAGS = (
    "ambiguous_charge",
    "lost_card",
    "no_unknown_charges",
    "payment_question",
    "descriptor_named",
    "ambiguous_close",
)
_ROUTE_ORDER = tuple(Route)
# Per scope: relative route scores (8), the lexicon's pick one-hot (8), "no evidence" (1), flags (6).
_LEXICON_SCOPE = 2 * len(_ROUTE_ORDER) + 1 + len(_LEXICON_FLAGS)
# Three scopes: the latest turn when it opens (or follows a helper), the latest turn when it answers a question,
# and all customer turns. Splitting the latest turn by context lets a linear policy weigh the same words
# differently as an opening and as an answer ("no" means nothing on its own, a lot after "do you recognise it?").
LEXICON_DIM = 3 * _LEXICON_SCOPE


def lexicon_scope(texts: Sequence[str]) -> np.ndarray:
    """The dense lexicon features of some customer text: what the hand-written vocabulary finds in it."""
    return _lexicon_scope(tuple(texts)).copy()


@functools.lru_cache(maxsize=16384)
def _lexicon_scope(texts: tuple[str, ...]) -> np.ndarray:
    # Pure in the texts, and each planner turn (and every GRPO replay of it) re-reads the same customer turns.
    out = np.zeros(_LEXICON_SCOPE, dtype=np.float32)
    if not any(t.strip() for t in texts):
        out[2 * len(_ROUTE_ORDER)] = 1.0
        return out
    evidence = gather_evidence([(t, 1.0) for t in texts])
    scores = np.array([evidence.scores[r] for r in _ROUTE_ORDER], dtype=np.float32)
    top = float(scores.max())
    n = len(_ROUTE_ORDER)
    # Relative scores: patterns' weights are on an arbitrary scale, what matters is which route leads and by how much.
    out[:n] = scores / max(top, MIN_EVIDENCE)
    pick = pick_route(evidence.scores)  # the policy's priority order (fraud first) over the issues raised
    if pick is None:
        out[2 * n] = 1.0
    else:
        out[n + _ROUTE_ORDER.index(pick)] = 1.0
    out[2 * n + 1 :] = [float(getattr(evidence, flag)) for flag in _LEXICON_FLAGS]
    return out


def lexicon_features(state: ConversationState) -> np.ndarray:
    """The LEXICON_DIM-wide block for a conversation state."""
    out = np.zeros(LEXICON_DIM, dtype=np.float32)
    latest = lexicon_scope([state.latest_customer_turn])
    slot = 0 if state.answered_question is None else 1
    out[slot * _LEXICON_SCOPE : (slot + 1) * _LEXICON_SCOPE] = latest
    out[2 * _LEXICON_SCOPE :] = lexicon_scope(state.customer_turns) if len(state.customer_turns) > 1 else latest
    return out


# -- the rules prior block -------------------------------------------------------------------------------------

_PRIOR_ACTIONS = tuple(r.value for r in Route) + tuple(f"ask:{q.value}" for q in ClarifyingQuestion)
# Two slots, as for the lexicon: the rules' move on an opening (or after a helper) and on an answer to a question.
RULES_PRIOR_DIM = 2 * len(_PRIOR_ACTIONS)
_SYSTEM_NOTE_PREFIX = "[system] "
# The most of one message the rules planner reads (rules.MAX_READ_CHARS, issue 11).
_RULES_READ_CHARS = 4000


def rules_turns(messages: Sequence[ChatMessage]) -> tuple[tuple[str, str], ...]:
    """The conversation as the rules planner reads it: (role, text) of customer, planner and helper turns.

    The same split as `rules.messages_to_turns`, read from the OpenAI view instead of LangChain messages: simulator
    notes, tool errors and transfer receipts are not conversation.
    """
    turns: list[tuple[str, str]] = []
    delegate_ids: set[str] = set()
    for message in messages:
        role = message.get("role")
        text = _content_text(message.get("content"))
        if role == "user":
            if not text.startswith(_SYSTEM_NOTE_PREFIX):
                turns.append(("customer", text[:_RULES_READ_CHARS]))
        elif role == "assistant":
            calls = message.get("tool_calls") or ()
            delegate_ids.update(
                c["id"] for c in calls if (c.get("function") or {}).get("name") == "delegate" and c.get("id")
            )
            if text.strip():
                turns.append(("planner", text))
        elif role == "tool":
            is_error = text.lower().startswith(("delegate:", "transfer_to_human", "error"))
            if text and message.get("tool_call_id") in delegate_ids and not is_error:
                turns.append(("helper", text[:_RULES_READ_CHARS]))
    return tuple(turns)


@functools.lru_cache(maxsize=16384)
def rules_action(turns: tuple[tuple[str, str], ...]) -> str:
    """The rules planner's next move as an action name (a route, or 'ask:<question>')."""
    # Imported here: only the rules prior block needs the rules planner (a lexicon-only featurizer stays without it).
    from ccsim.agents.policies.rules import Turn, decide

    decision = decide([Turn(role=role, text=text) for role, text in turns])
    if decision.question is not None:
        return f"ask:{decision.question.value}"
    assert decision.route is not None
    return decision.route.value


def rules_prior_features(messages: Sequence[ChatMessage], state: ConversationState) -> np.ndarray:
    """The RULES_PRIOR_DIM-wide one-hot of the rules planner's move, in the slot of the latest turn's context."""
    out = np.zeros(RULES_PRIOR_DIM, dtype=np.float32)
    slot = 0 if state.answered_question is None else 1
    out[slot * len(_PRIOR_ACTIONS) + _PRIOR_ACTIONS.index(rules_action(rules_turns(messages)))] = 1.0
    return out


def rules_prior_rows(config: HashingFeaturizerConfig | EncoderFeaturizerConfig) -> dict[str, list[int]]:
    """Feature indices that say "the rules planner would take this action", per action name; empty without the block."""
    hashing = config.hashing if isinstance(config, EncoderFeaturizerConfig) else config
    if not hashing.rules_prior:
        return {}
    offset = hashing.n_buckets + (LEXICON_DIM if hashing.lexicon else 0)
    n = len(_PRIOR_ACTIONS)
    return {a: [offset + k, offset + n + k] for k, a in enumerate(_PRIOR_ACTIONS)}


class EncoderFeaturizerConfig(BaseModel):
    """A pretrained sentence embedding of the customer's words, beside the hashing featurizer's blocks.

    The embedding (all-MiniLM-L6-v2 run in numpy by `agents.policies.sentence_encoder`; the weights come from the
    optional `encoder` extra) is one block; the hashed n-grams, the state features and the lexicon are the
    others, exactly as `HashingFeaturizerConfig` builds them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["encoder"] = "encoder"
    model: str = Field(
        default="all-MiniLM-L6-v2",
        description="'all-MiniLM-L6-v2' (the packaged weights) or a folder with model.safetensors and vocab.txt.",
    )
    embedding_dim: int = Field(default=384, ge=1, description="Width of the embedding.")
    n_buckets: int = Field(default=2**18, ge=2**8, le=2**24, description="Hash buckets of the n-gram and state block.")
    word_ngrams: int = Field(default=2, ge=1, le=3, description="Word n-grams up to this length.")
    char_ngram_min: int = Field(default=3, ge=1, le=8, description="Shortest character n-gram.")
    char_ngram_max: int = Field(default=5, ge=0, le=8, description="Longest character n-gram; 0 disables.")
    lexicon: bool = Field(default=True, description="Append the dense lexicon block.")
    rules_prior: bool = Field(default=True, description="Append the rules planner's decision, one-hot.")
    strip_ignored: bool = Field(
        default=True, description="Embed and hash the customer's words without what the policy ignores."
    )

    @property
    def hashing(self) -> HashingFeaturizerConfig:
        """The hashing featurizer whose blocks come first."""
        return HashingFeaturizerConfig(
            n_buckets=self.n_buckets,
            word_ngrams=self.word_ngrams,
            char_ngram_min=self.char_ngram_min,
            char_ngram_max=self.char_ngram_max,
            lexicon=self.lexicon,
            rules_prior=self.rules_prior,
            strip_ignored=self.strip_ignored,
        )

    @property
    def dim(self) -> int:
        # The hashing blocks, then two embeddings: the latest turn and the opening.
        return self.hashing.dim + 2 * self.embedding_dim


FeaturizerConfig = Annotated[HashingFeaturizerConfig | EncoderFeaturizerConfig, Field(discriminator="kind")]


@dataclass(frozen=True)
class FeatureVector:
    """A sparse vector: sorted unique indices into [0, dim) and their values."""

    indices: np.ndarray  # int64
    values: np.ndarray  # float32


@dataclass(frozen=True)
class ConversationState:
    """What the policy reads from the planner's view of the conversation so far."""

    customer_turns: tuple[str, ...]
    questions_asked: tuple[ClarifyingQuestion, ...]
    # The question the planner asked right before the customer's latest turn: that turn answers it.
    answered_question: ClarifyingQuestion | None
    helper_answered: bool
    routes_taken: tuple[Route, ...]

    @property
    def latest_customer_turn(self) -> str:
        return self.customer_turns[-1] if self.customer_turns else ""


def read_as_policy(state: ConversationState) -> ConversationState:
    """The state with each customer turn as the routing policy reads it (`customer_words`).

    Only the text blocks read this; the rules prior reads the raw messages through the rules planner (which strips
    the same text itself), and the planner's hand-off summary keeps the customer's own words.
    """
    return replace(state, customer_turns=tuple(customer_words(t) for t in state.customer_turns))


def conversation_state(messages: Sequence[ChatMessage]) -> ConversationState:
    """Parse OpenAI-format chat messages (system, user, assistant, tool) into the policy's view."""
    customer: list[str] = []
    asked: list[ClarifyingQuestion] = []
    answered: ClarifyingQuestion | None = None
    pending: ClarifyingQuestion | None = None
    helper_answered = False
    routes: list[Route] = []
    delegate_ids: set[str] = set()
    for message in messages:
        role = message.get("role")
        if role == "user":
            customer.append(_content_text(message.get("content")))
            answered, pending = pending, None
        elif role == "assistant":
            for call in message.get("tool_calls") or ():
                route = _tool_call_route(call)
                if route is not None:
                    routes.append(route)
                if (call.get("function") or {}).get("name") == "delegate" and call.get("id"):
                    delegate_ids.add(call["id"])
            text = _content_text(message.get("content"))
            question = classify_question(text) if text and not message.get("tool_calls") else None
            if question is not None:
                asked.append(question)
            pending = question
        elif role == "tool":
            content = _content_text(message.get("content"))
            # Only a helper's answer to a delegate call counts; transfer receipts and tool errors (which start
            # with the tool's name, the OpenAI format drops LangChain's status='error') do not.
            is_error = content.lower().startswith(("delegate:", "transfer_to_human", "error"))
            if content and message.get("tool_call_id") in delegate_ids and not is_error:
                helper_answered = True
    return ConversationState(
        customer_turns=tuple(customer),
        questions_asked=tuple(asked),
        answered_question=answered,
        helper_answered=helper_answered,
        routes_taken=tuple(routes),
    )


def _content_text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def _tool_call_route(call: dict[str, Any]) -> Route | None:
    function = call.get("function") or {}
    args = function.get("arguments")
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except json.JSONDecodeError:
            return None
    if not isinstance(args, dict):
        return None
    target = args.get("agent") or args.get("department")
    try:
        return parse_route(target) if isinstance(target, str) else None
    except ValueError:
        return None


_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens; keeps contractions whole so "don't recognise" stays a bigram."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def word_ngrams(tokens: Sequence[str], n_max: int) -> list[str]:
    grams = list(tokens)
    for n in range(2, n_max + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_ngrams(tokens: Sequence[str], n_min: int, n_max: int) -> list[str]:
    """Character n-grams of the space-joined tokens, padded, so typos still share most grams."""
    if n_max <= 0:
        return []
    text = f" {' '.join(tokens)} "
    return [text[i : i + n] for n in range(n_min, n_max + 1) for i in range(len(text) - n + 1)]


def state_features(state: ConversationState) -> list[str]:
    """Named features of the conversation state, independent of the representation of the text."""
    names = ["bias", f"n_asked={len(state.questions_asked)}", f"n_customer_turns={min(len(state.customer_turns), 4)}"]
    names.extend(f"asked={q.value}" for q in state.questions_asked)
    if state.answered_question is not None:
        q = state.answered_question.value
        names.append(f"answers={q}")
        # The same words mean different things after different questions ("no" to "do you recognise it?").
        tokens = tokenize(state.latest_customer_turn)
        names.extend(f"answers={q}|{gram}" for gram in word_ngrams(tokens, 2))
    if state.helper_answered:
        names.append("helper_answered")
    names.extend(f"routed={r.value}" for r in state.routes_taken)
    return names


def stable_hash(text: str) -> int:
    """crc32: the same bucket in every process (Python's hash() is salted per process)."""
    return zlib.crc32(text.encode("utf-8"))


def _hashed_group(names: Sequence[str], prefix: str, n_buckets: int, offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Bucket indices of `names` and equal weights that give the group unit L2 norm."""
    if not names:
        return np.empty(0, np.int64), np.empty(0, np.float32)
    idx = np.fromiter((stable_hash(prefix + n) % n_buckets for n in names), dtype=np.int64, count=len(names))
    return idx + offset, np.full(len(names), 1.0 / np.sqrt(len(names)), dtype=np.float32)


def _combine(groups: Sequence[tuple[np.ndarray, np.ndarray]]) -> FeatureVector:
    """Concatenate groups and sum values that landed in the same bucket."""
    idx = np.concatenate([g[0] for g in groups])
    vals = np.concatenate([g[1] for g in groups])
    unique, inverse = np.unique(idx, return_inverse=True)
    summed = np.zeros(len(unique), dtype=np.float32)
    np.add.at(summed, inverse, vals)
    return FeatureVector(indices=unique, values=summed)


class Featurizer(Protocol):
    @property
    def config(self) -> HashingFeaturizerConfig | EncoderFeaturizerConfig: ...

    def featurize(self, messages: Sequence[ChatMessage]) -> FeatureVector: ...


class HashingFeaturizer:
    """Hashed word and character n-grams of the customer's text plus conversation-state features."""

    def __init__(self, config: HashingFeaturizerConfig | None = None) -> None:
        self.config = config or HashingFeaturizerConfig()

    def featurize(self, messages: Sequence[ChatMessage]) -> FeatureVector:
        return self.featurize_state(conversation_state(messages), messages)

    def featurize_state(self, state: ConversationState, messages: Sequence[ChatMessage] = ()) -> FeatureVector:
        """The vector of a parsed state; `messages` (the view it was parsed from) feed the rules prior block."""
        c = self.config
        prior_state = state
        if c.strip_ignored:
            state = read_as_policy(state)
        latest = tokenize(state.latest_customer_turn)
        everything = tokenize(" ".join(state.customer_turns))
        groups = [
            _hashed_group(word_ngrams(latest, c.word_ngrams), "lw:", c.n_buckets),
            _hashed_group(word_ngrams(everything, c.word_ngrams), "aw:", c.n_buckets),
            _hashed_group(char_ngrams(latest, c.char_ngram_min, c.char_ngram_max), "lc:", c.n_buckets),
            _hashed_group(char_ngrams(everything, c.char_ngram_min, c.char_ngram_max), "ac:", c.n_buckets),
        ]
        # State features are one-hot, not normalised together: each is a fact worth its full weight.
        state_names = state_features(state)
        idx = np.fromiter((stable_hash("s:" + n) % c.n_buckets for n in state_names), np.int64, len(state_names))
        groups.append((idx, np.ones(len(state_names), np.float32)))
        if c.lexicon:
            dense = lexicon_features(state)
            nonzero = np.flatnonzero(dense)
            groups.append((nonzero.astype(np.int64) + c.n_buckets, dense[nonzero]))
        if c.rules_prior:
            prior = rules_prior_features(messages, prior_state)
            offset = c.n_buckets + (LEXICON_DIM if c.lexicon else 0)
            groups.append((np.flatnonzero(prior).astype(np.int64) + offset, np.ones(1, np.float32)))
        return _combine(groups)


Embedder = Callable[[str], np.ndarray]


class EncoderFeaturizer:
    """The hashing featurizer's vector with a sentence embedding of the latest turn and of the opening appended.

    The opening rather than all turns joined: the opening and each answer are texts seen again and again, so
    the per-text cache holds nearly every embedding training asks for (a joined text would be new each time).
    """

    def __init__(self, config: EncoderFeaturizerConfig | None = None, embed: Embedder | None = None) -> None:
        self.config = config or EncoderFeaturizerConfig()
        self._hashing = HashingFeaturizer(self.config.hashing)
        if embed is None:
            from ccsim.agents.policies.sentence_encoder import SentenceEncoder

            embed = SentenceEncoder(self.config.model).embed
        self._embed = embed

    def featurize(self, messages: Sequence[ChatMessage]) -> FeatureVector:
        state = conversation_state(messages)
        base = self._hashing.featurize_state(state, messages)
        if self.config.strip_ignored:
            state = read_as_policy(state)
        d = self.config.embedding_dim
        opening = state.customer_turns[0] if state.customer_turns else ""
        dense = np.concatenate([self._embed(state.latest_customer_turn), self._embed(opening)]).astype(np.float32)
        if dense.shape != (2 * d,):
            raise ValueError(f"the encoder gave {dense.shape[0] // 2}-wide embeddings; the config says {d}")
        offset = self.config.hashing.dim
        return FeatureVector(
            indices=np.concatenate([base.indices, np.arange(offset, offset + 2 * d, dtype=np.int64)]),
            values=np.concatenate([base.values, dense]),
        )


def build_featurizer(config: HashingFeaturizerConfig | EncoderFeaturizerConfig) -> Featurizer:
    if isinstance(config, HashingFeaturizerConfig):
        return HashingFeaturizer(config)
    return EncoderFeaturizer(config)
