"""The semantic side of the search: a sentence-embedding model that compares meanings.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), exported to ONNX with its
pooling in the graph and 8-bit weights, shipped in ``bot/search/model/`` with its tokenizer
(the README there says where both come from; scripts/build_embedding_model.py rebuilds the
file byte for byte). It runs with onnxruntime and tokenizers: no PyTorch, no download at run
time; the file's sha256 is checked before it is loaded.

Entry texts are embedded once, when the index is built (and kept in a cache folder keyed by
their hash); each question costs one model run of a few milliseconds. If anything about the
model cannot be loaded, ``load_embedder`` logs one line and returns None, and the search
answers with its lexical side alone.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.catalog.entries import Catalog, Entry

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_PATH = MODEL_DIR / "all-MiniLM-L6-v2.int8.onnx"
TOKENIZER_PATH = MODEL_DIR / "tokenizer.json"
# What scripts/build_embedding_model.py produces from the pinned source (see the README).
MODEL_SHA256 = "44683946caf2d25e976f193250cd510ab4f8db9b8f17ca808fe5ecebfc08db54"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# Questions are short; a pasted essay is cut (the lexical side reads 400 characters too).
MAX_TOKENS = 64
DIMENSIONS = 384
# Small batches: the runtime keeps the memory of its largest batch for good.
BATCH = 8


class ModelUnavailable(Exception):
    """The embedding model or its runtime is missing or not the file we checked."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Embedder:
    """Turns texts into unit-length 384-number vectors; the dot product is the cosine."""

    def __init__(self, session: Any, tokenizer: Any, identity: str = "") -> None:
        self.identity = identity  # the model file's sha256: cached vectors are keyed by it
        self._session = session
        self._tokenizer = tokenizer
        self._inputs = {item.name for item in session.get_inputs()}
        # A model whose graph ends in the pooled sentence vector, or one that returns every
        # token's vector (pooled here).
        self._pooled = len(session.get_outputs()[0].shape) == 2

    @classmethod
    def load(
        cls,
        model: Path | None = None,
        tokenizer: Path = TOKENIZER_PATH,
        sha256: str | None = MODEL_SHA256,
    ) -> Embedder:
        """Open the model with one thread (answers stay quick on a busy two-core machine).

        Raises:
            ModelUnavailable: naming what is missing or wrong.
        """
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as error:
            raise ModelUnavailable(f"onnxruntime or tokenizers is missing ({error})") from None
        model = model or MODEL_PATH
        found = {}
        for path, expected in ((model, sha256), (tokenizer, TOKENIZER_SHA256)):
            try:
                found[path] = _sha256(path)
            except OSError as error:
                raise ModelUnavailable(f"cannot read {path}: {error}") from None
            if expected is not None and found[path] != expected:
                raise ModelUnavailable(f"{path} is not the checked file (sha256 {found[path]})")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            session = onnxruntime.InferenceSession(
                str(model), options, providers=["CPUExecutionProvider"]
            )
            text_tokenizer = Tokenizer.from_file(str(tokenizer))
        except Exception as error:  # onnxruntime raises its own untyped errors
            raise ModelUnavailable(f"cannot open the model: {error}") from None
        # The file pads every text to 128 tokens; padding to the longest in a batch is enough.
        text_tokenizer.no_padding()
        text_tokenizer.enable_truncation(MAX_TOKENS)
        return cls(session, text_tokenizer, found[model])

    def embed(self, texts: Sequence[str]) -> Any:
        """A (len(texts), 384) float32 array of unit vectors, in the order given."""
        import numpy as np

        rows = []
        for start in range(0, len(texts), BATCH):
            encoded = self._tokenizer.encode_batch(list(texts[start : start + BATCH]))
            width = max(len(item.ids) for item in encoded)
            ids = np.zeros((len(encoded), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, item in enumerate(encoded):
                ids[row, : len(item.ids)] = item.ids
                mask[row, : len(item.ids)] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": 0 * ids}
            hidden = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[
                0
            ]
            if self._pooled:
                rows.append(hidden)
                continue
            # Mean of the real tokens' vectors, then unit length: how the model was trained.
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            rows.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
        return np.concatenate(rows).astype(np.float32)


def load_embedder(
    model: Path | None = None, tokenizer: Path = TOKENIZER_PATH, sha256: str | None = MODEL_SHA256
) -> Embedder | None:
    """The embedder, or None (with one log line) when it cannot be loaded."""
    try:
        return Embedder.load(model, tokenizer, sha256)
    except ModelUnavailable as error:
        log.warning("semantic search is off, answering from words alone: %s", error)
        return None


def entry_texts(entry: Entry, questions: Sequence[str]) -> list[str]:
    """What stands for an entry on the semantic side: its title, summary and questions.

    Not its aliases: they are keywords for the word matcher, and as texts of their own they
    won short questions for the wrong entry ("lower back" went to the full-back routine, whose
    aliases include "upper and lower back"); without them top-1 rose from 94.8 % to 95.7 % on
    the tuning sets.
    """
    return [entry.title, f"{entry.title}. {entry.summary}", *questions]


def default_cache_dir() -> Path:
    """Where entry vectors are kept between runs (XDG cache folder)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "massage-coach"


def _cache_key(identity: str, texts: Sequence[str]) -> str:
    digest = hashlib.sha256(f"{identity}:{TOKENIZER_SHA256}:{MAX_TOKENS}".encode())
    for text in texts:
        digest.update(b"\x00" + text.encode())
    return digest.hexdigest()[:32]


def embed_cached(embedder: Embedder, texts: Sequence[str], cache: Path | None) -> Any:
    """``embedder.embed(texts)``, kept in ``cache`` under a hash of the texts and the model.

    Embedding every entry text takes seconds on a busy small machine; reading them back takes
    a millisecond. A file for other texts or another model is never used: its name differs.
    """
    import numpy as np

    key = _cache_key(embedder.identity, texts)
    path = cache / f"vectors-{key}.npy" if cache is not None else None
    if path is not None and path.is_file():
        try:
            vectors = np.load(path, allow_pickle=False)
            if vectors.shape == (len(texts), DIMENSIONS):
                return vectors
        except (OSError, ValueError) as error:
            log.debug("cannot read the vector cache %s: %s", path, error)
    vectors = embedder.embed(texts)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial.npy")
            np.save(partial, vectors, allow_pickle=False)
            os.replace(partial, path)
        except OSError as error:
            log.debug("cannot write the vector cache %s: %s", path, error)
    return vectors


@dataclass(frozen=True)
class SemanticIndex:
    """Texts embedded once, each owned by an item (an entry); the best similarity per item."""

    embedder: Embedder
    vectors: Any  # (texts, 384) float32
    owners: Any  # (texts,) int: which item each text stands for
    items: int

    @classmethod
    def build(
        cls,
        embedder: Embedder,
        catalog: Catalog,
        questions: Mapping[str, Sequence[str]],
        cache: Path | None = None,
    ) -> SemanticIndex:
        """One item per entry, in catalog order, standing for its texts (``entry_texts``)."""
        texts: list[str] = []
        owners: list[int] = []
        for position, entry in enumerate(catalog):
            for text in entry_texts(entry, questions.get(entry.id, ())):
                texts.append(text)
                owners.append(position)
        return cls.of_texts(embedder, texts, owners, cache)

    @classmethod
    def of_texts(
        cls,
        embedder: Embedder,
        texts: Sequence[str],
        owners: Sequence[int] | None = None,
        cache: Path | None = None,
    ) -> SemanticIndex:
        """An index of ``texts``; each its own item unless ``owners`` groups them."""
        import numpy as np

        owned = list(owners) if owners is not None else list(range(len(texts)))
        vectors = embed_cached(embedder, texts, cache)
        return cls(embedder, vectors, np.array(owned), max(owned, default=-1) + 1)

    def similarities(self, text: str) -> list[float]:
        """Cosine of the question to each item's nearest text, in item order."""
        return self.similarities_of(self.embedder.embed([text])[0])

    def similarities_of(self, question: Any) -> list[float]:
        """Like ``similarities`` for a question already embedded (one model run per question)."""
        import numpy as np

        cosines = self.vectors @ question
        best = np.full(self.items, -1.0, dtype=np.float32)
        np.maximum.at(best, self.owners, cosines)
        return [float(value) for value in best]
