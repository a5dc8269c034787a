"""The built-in planner's policy: a linear softmax over a fixed action list, trained with sparse updates,
and its checkpoint format (plain .npz arrays plus a JSON header; loading never executes code).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ccsim.agents.policies.featurizer import FeatureVector, FeaturizerConfig, rules_prior_rows
from ccsim.agents.questions import ClarifyingQuestion
from ccsim.contact_center.files import write_bytes_atomic, write_text_atomic
from ccsim.contact_center.taxonomy import Route

CHECKPOINT_FORMAT = "ccsim-builtin-policy"
# 2: the hashing featurizer gained the dense lexicon block (a different feature space than version 1's).
# 4: the encoder featurizer became the hashing blocks plus a numpy MiniLM embedding (new header fields and layout).
# 5: the rules prior block (the rules planner's decision, one-hot) joined the hashing featurizer.
# 6: the text blocks read the customer's words through strip_ignored_text (injected instructions removed), with
#    the lexicon of issues 11 and 12's second wave (the lexicon block reads the route scores of patterns.yaml).
# 7: the rules vocabulary round of session 5 (patterns.yaml, cues, evidence).
# 8: the text blocks read agents.lexicon.evidence.customer_words: where the instruction filter left a few words
#    with no issue, the whole message with every destination's name read as the bank's team.
CHECKPOINT_VERSION = 8
HEADER_FILE = "policy.json"
ARRAYS_FILE = "policy.npz"

ASK_PREFIX = "ask:"
# A fresh policy with the rules prior block starts as the rules planner: the rules' action leads every other by
# this logit, so imitation and RL only move the n-gram weights where the labels or rewards say the rules are wrong.
RULES_PRIOR_LOGIT = 3.0


def default_actions() -> tuple[str, ...]:
    """Every route (delegate or transfer) and every clarifying question, as stable action names."""
    return tuple(r.value for r in Route) + tuple(f"{ASK_PREFIX}{q.value}" for q in ClarifyingQuestion)


def action_route(action: str) -> Route | None:
    """The route an action sends the call to, or None for a question."""
    return None if action.startswith(ASK_PREFIX) else Route(action)


def action_question(action: str) -> ClarifyingQuestion | None:
    """The clarifying question an action asks, or None for a route."""
    return ClarifyingQuestion(action.removeprefix(ASK_PREFIX)) if action.startswith(ASK_PREFIX) else None


class CheckpointError(ValueError):
    """A checkpoint that is missing, corrupted, of another format or of an unsupported version."""


class CheckpointHeader(BaseModel):
    """The JSON half of a checkpoint: what the arrays mean and a digest that proves they are intact."""

    model_config = ConfigDict(extra="forbid")

    format: str = Field(description=f"Always {CHECKPOINT_FORMAT!r}.")
    version: int = Field(description="Checkpoint format version.")
    actions: list[str] = Field(description="Action names, in the order of the weight matrix's columns.")
    featurizer: FeaturizerConfig = Field(description="How conversations become feature vectors.")
    arrays_sha256: str = Field(description="sha256 of the arrays file's bytes.")
    metadata: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict, description="Free scalars: training step, validation accuracy, seed..."
    )


class LinearSoftmaxPolicy:
    """pi(a | x) = softmax(x W + b) restricted to the allowed actions.

    Feature vectors are sparse, so a logit costs one row gather per active feature and an update touches
    only those rows: the 2**18 x 14 matrix stays cheap on a CPU.
    """

    def __init__(
        self,
        featurizer: FeaturizerConfig,
        actions: Sequence[str] | None = None,
        weights: np.ndarray | None = None,
        bias: np.ndarray | None = None,
        rules_prior_logit: float = RULES_PRIOR_LOGIT,
    ) -> None:
        """Without `weights`, a fresh policy: zero everywhere except the rules prior rows (`rules_prior_logit`)."""
        self.featurizer = featurizer
        self.actions: tuple[str, ...] = tuple(actions) if actions is not None else default_actions()
        shape = (featurizer.dim, len(self.actions))
        if weights is None:
            weights = np.zeros(shape, dtype=np.float32)
            for action, rows in rules_prior_rows(featurizer).items():
                if action in self.actions:
                    weights[rows, self.actions.index(action)] = rules_prior_logit
        self.weights = weights.astype(np.float32)
        self.bias = np.zeros(len(self.actions), dtype=np.float32) if bias is None else bias.astype(np.float32)
        if self.weights.shape != shape or self.bias.shape != (len(self.actions),):
            raise CheckpointError(
                f"weights {self.weights.shape} / bias {self.bias.shape} do not fit {shape} for these actions"
            )

    def action_index(self, action: str) -> int:
        return self.actions.index(action)

    def logits(self, features: FeatureVector) -> np.ndarray:
        rows = self.weights[features.indices]
        return (features.values[:, None] * rows).sum(axis=0, dtype=np.float64) + self.bias

    def probabilities(self, features: FeatureVector, allowed: np.ndarray) -> np.ndarray:
        """Softmax over the allowed actions; disallowed ones get probability 0."""
        if not allowed.any():
            raise ValueError("no action is allowed")
        logits = np.where(allowed, self.logits(features), -np.inf)
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()

    def greedy(self, features: FeatureVector, allowed: np.ndarray) -> int:
        return int(np.argmax(self.probabilities(features, allowed)))

    def sample(self, features: FeatureVector, allowed: np.ndarray, rng: np.random.Generator) -> int:
        probs = self.probabilities(features, allowed)
        return int(rng.choice(len(probs), p=probs))

    def digest(self) -> str:
        """sha256 over the weights, bias and action names: equal digests mean identical policies."""
        h = hashlib.sha256()
        h.update(json.dumps(self.actions).encode())
        h.update(np.ascontiguousarray(self.weights).tobytes())
        h.update(np.ascontiguousarray(self.bias).tobytes())
        return h.hexdigest()

    # -- checkpoints ---------------------------------------------------------------------------------

    def save(self, folder: str | Path, metadata: dict[str, Any] | None = None) -> Path:
        """Write policy.npz and policy.json into `folder` (created if needed); return the folder."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        # Compressed: a trained matrix is mostly untouched (zero) buckets.
        np.savez_compressed(buffer, weights=self.weights, bias=self.bias)
        arrays = buffer.getvalue()
        header = CheckpointHeader(
            format=CHECKPOINT_FORMAT,
            version=CHECKPOINT_VERSION,
            actions=list(self.actions),
            featurizer=self.featurizer,
            arrays_sha256=hashlib.sha256(arrays).hexdigest(),
            metadata=metadata or {},
        )
        # Each file lands whole; a reader between the two renames sees a digest mismatch, which load refuses.
        write_bytes_atomic(out / ARRAYS_FILE, arrays)
        write_text_atomic(out / HEADER_FILE, header.model_dump_json(indent=2) + "\n")
        return out

    @classmethod
    def load(cls, folder: str | Path) -> LinearSoftmaxPolicy:
        """Load a checkpoint folder; raise CheckpointError with the reason if anything is off."""
        policy, _ = load_checkpoint(folder)
        return policy


def load_checkpoint(folder: str | Path) -> tuple[LinearSoftmaxPolicy, CheckpointHeader]:
    """The policy and its header. Refuses foreign, corrupted or tampered files before reading any array."""
    path = Path(folder)
    if path.is_file() and path.name in (HEADER_FILE, ARRAYS_FILE):
        path = path.parent
    header_path, arrays_path = path / HEADER_FILE, path / ARRAYS_FILE
    if not header_path.is_file() or not arrays_path.is_file():
        raise CheckpointError(
            f"{path} is not a built-in policy checkpoint: expected {HEADER_FILE} and {ARRAYS_FILE} in it"
        )
    try:
        raw = json.loads(header_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{header_path} is not valid JSON ({exc}); the checkpoint is corrupted") from None
    if not isinstance(raw, dict) or raw.get("format") != CHECKPOINT_FORMAT:
        found = raw.get("format") if isinstance(raw, dict) else type(raw).__name__
        raise CheckpointError(f"{header_path} is not a {CHECKPOINT_FORMAT} header (format: {found!r})")
    if raw.get("version") != CHECKPOINT_VERSION:
        older = isinstance(raw.get("version"), int) and raw["version"] < CHECKPOINT_VERSION
        hint = " (an older build's features differ from this one's: retrain with `ccsim train --policy builtin`)"
        raise CheckpointError(
            f"{header_path} has checkpoint version {raw.get('version')!r}; this build reads {CHECKPOINT_VERSION}"
            + (hint if older else "")
        )
    try:
        header = CheckpointHeader.model_validate(raw)
    except ValidationError as exc:
        raise CheckpointError(f"{header_path} has an invalid header: {exc}") from None
    digest = _sha256_file(arrays_path)
    if digest != header.arrays_sha256:
        raise CheckpointError(
            f"{arrays_path} does not match its header (sha256 {digest[:12]}... != {header.arrays_sha256[:12]}...); "
            "the checkpoint is corrupted or was modified"
        )
    unknown = set(header.actions) - set(default_actions())
    if unknown:
        raise CheckpointError(f"{header_path} names actions this build does not know: {sorted(unknown)}")
    try:
        # allow_pickle=False: an .npz holding object arrays is refused instead of unpickled.
        with np.load(arrays_path, allow_pickle=False) as arrays:
            weights, bias = arrays["weights"], arrays["bias"]
    except (ValueError, KeyError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise CheckpointError(f"{arrays_path} cannot be read as the policy's arrays ({exc})") from None
    return LinearSoftmaxPolicy(header.featurizer, header.actions, weights, bias), header


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


__all__ = [
    "ASK_PREFIX",
    "CHECKPOINT_FORMAT",
    "CHECKPOINT_VERSION",
    "CheckpointError",
    "CheckpointHeader",
    "LinearSoftmaxPolicy",
    "action_question",
    "action_route",
    "default_actions",
    "load_checkpoint",
]
