"""Vector index: exact cosine over a memory-mapped matrix, HNSW above a size threshold.

Files in ``folder`` for an index called ``name``:

``{name}.f32``
    float32 rows of ``dim`` values, unit length, append-only. The operating system pages it in
    on demand (``numpy.memmap``), so an index larger than memory still works.
``{name}.ids.npz``
    the id of every row (a tombstone value for dead rows), the dimension and a generation
    counter. Written to a temporary file, flushed and ``os.replace``-d: it is the commit point.
``{name}.hnsw`` and ``{name}.hnsw.json``
    the approximate index (hnswlib, inner product on unit vectors) and the generation it
    reflects. Built when there are more than ``ann_threshold`` live vectors, kept until there
    are fewer than 80% of that (so a count hovering at the threshold does not rebuild it),
    updated in place by upserts and deletes; rebuilt when more than ``compact_ratio`` of its
    nodes are deleted ones.

Crash safety. An upsert appends rows to the matrix (and flushes them) before it commits the
id file, and never writes over a row that a committed id file refers to: a changed vector is
a new row, and its old row becomes a tombstone. So a crash leaves either the old or the new
id file, both consistent with the matrix; rows past the end of the id file are cut off when
the index is opened. Compaction (when more than ``compact_ratio`` of the rows are dead)
writes a new matrix and id file beside the old ones, then a marker file (its commit point),
then replaces both; an interrupted compaction is finished or discarded on the next open. An
HNSW file whose generation is not the id file's is rebuilt from the matrix on open.

One process writes an index at a time; a process that only reads sees another's writes
after reopening. Within a process, one lock serialises every call.

Zero vectors mean "no embedding" (an empty text): upserting one removes the id.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import hnswlib
import numpy as np
import numpy.typing as npt

from gcmhub.errors import GcmhubError, InvalidInput

DEAD = -1  # id of a tombstoned row (ids are never negative)
FORMAT = 1
EXACT_ALLOWED_MAX = 50_000  # an `allowed` set up to this size is scanned exactly, even with ANN
READ_CHUNK = 65_536  # rows handed to HNSW at a time when building it
WRITE_CHUNK = 8192  # rows copied at a time when compacting

Ids = npt.NDArray[np.int64]
Matrix = npt.NDArray[np.float32]


class IndexDamaged(GcmhubError):
    """The files of a vector index do not agree; it must be rebuilt."""

    status = 500
    title = "Index damaged"


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on every platform; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_durably(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write a file completely and flush it to disk (no rename)."""
    with open(path, "wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())


def _replace_durably(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write ``path`` atomically: a temporary file, flushed, then renamed over it."""
    temporary = path.with_name(path.name + ".tmp")
    _write_durably(temporary, write)
    os.replace(temporary, path)
    _fsync_dir(path.parent)


class VectorIndex:
    """Ids with unit vectors, ranked by cosine to a query; persisted in a folder.

    ``ef_search`` is HNSW's candidate list at query time (raised to ``k`` when smaller):
    higher means better recall and slower queries. ``m`` and ``ef_construction`` shape the
    graph when it is built. ``autosave=False`` leaves the HNSW file to :meth:`save` (the
    matrix and the ids are always written at once); an HNSW file left stale is rebuilt on
    the next open.
    """

    def __init__(
        self,
        folder: Path,
        dim: int,
        name: str = "items",
        ann_threshold: int = 200_000,
        *,
        ef_search: int = 128,
        ef_construction: int = 200,
        m: int = 16,
        compact_ratio: float = 0.2,
        autosave: bool = True,
    ):
        if dim <= 0:
            raise InvalidInput("a vector index needs a positive dimension")
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.dim = dim
        self.name = name
        self.ann_threshold = ann_threshold
        self.ef_search = ef_search
        self.ef_construction = ef_construction
        self.m = m
        self.compact_ratio = compact_ratio
        self.autosave = autosave
        self._lock = threading.RLock()
        self._matrix_path = self.folder / f"{name}.f32"
        self._ids_path = self.folder / f"{name}.ids.npz"
        self._hnsw_path = self.folder / f"{name}.hnsw"
        self._hnsw_meta_path = self.folder / f"{name}.hnsw.json"
        self._compact_matrix = self.folder / f"{name}.f32.compact"
        self._compact_ids = self.folder / f"{name}.ids.compact.npz"
        self._compact_marker = self.folder / f"{name}.compact"
        self._ids: Ids = np.zeros(0, dtype=np.int64)
        self._matrix: Matrix = np.zeros((0, dim), dtype=np.float32)
        self._row_of: dict[int, int] = {}
        self._generation = 0
        self._sorted: tuple[Ids, Ids] | None = None  # live ids sorted, and their rows
        self._dead_rows: Ids | None = None
        self._hnsw: Any = None
        self._hnsw_dirty = False
        with self._lock:
            self._recover()
            self._load()

    # -- reading -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._row_of)

    def ids(self) -> Ids:
        """Return the ids held, sorted."""
        with self._lock:
            return np.sort(self._ids[self._ids != DEAD])

    def vector(self, key: int) -> Matrix | None:
        """Return the stored unit vector of an id, or None."""
        with self._lock:
            row = self._row_of.get(int(key))
            return None if row is None else np.array(self._matrix[row], dtype=np.float32)

    @property
    def ann_active(self) -> bool:
        """Whether searches go through the approximate (HNSW) index."""
        return self._hnsw is not None

    def search(
        self,
        query: npt.ArrayLike,
        k: int = 100,
        allowed: npt.ArrayLike | None = None,
        *,
        exact: bool = False,
    ) -> list[tuple[int, float]]:
        """Return up to ``k`` (id, cosine) pairs, best first.

        ``allowed`` restricts the result to those ids (facet filters). ``exact`` skips the
        approximate index even when there is one.
        """
        vector = self._query_vector(query)
        with self._lock:
            if vector is None or k <= 0 or not self._row_of:
                return []
            rows = None if allowed is None else self._rows_of(allowed)
            if rows is not None and not len(rows):
                return []
            if self._hnsw is None or exact:
                return self._exact(vector, k, rows)
            if rows is None:
                found = self._ann(vector, k)
                return found if found is not None else self._exact(vector, k, None)
            if len(rows) <= EXACT_ALLOWED_MAX:
                return self._exact(vector, k, rows)
            share = len(rows) / len(self._row_of)
            fetch = min(len(self._row_of), math.ceil(2 * k / share) + k)
            found = self._ann(vector, fetch)
            if found is not None:
                keep = set(self._ids[rows].tolist())
                survivors = [(i, s) for i, s in found if i in keep]
                if len(survivors) >= min(k, len(rows)):
                    return survivors[:k]
            return self._exact(vector, k, rows)

    def _query_vector(self, query: npt.ArrayLike) -> Matrix | None:
        vector = np.asarray(query, dtype=np.float32).reshape(-1)
        if vector.shape != (self.dim,):
            raise InvalidInput(f"query has {vector.size} values; the index holds {self.dim}")
        norm = float(np.linalg.norm(vector))
        if not math.isfinite(norm) or norm == 0.0:
            return None
        return vector / norm

    def _rows_of(self, allowed: npt.ArrayLike) -> Ids:
        wanted = np.unique(np.asarray(allowed, dtype=np.int64).reshape(-1))
        if self._sorted is None:
            rows = np.flatnonzero(self._ids != DEAD)
            order = np.argsort(self._ids[rows], kind="stable")
            self._sorted = (self._ids[rows][order], rows[order])
        ids, rows = self._sorted
        if not len(ids) or not len(wanted):
            return np.zeros(0, dtype=np.int64)
        at = np.searchsorted(ids, wanted).clip(max=len(ids) - 1)
        hit = ids[at] == wanted
        return np.sort(rows[at[hit]])

    def _exact(self, vector: Matrix, k: int, rows: Ids | None) -> list[tuple[int, float]]:
        if rows is None:
            scores = np.asarray(self._matrix @ vector, dtype=np.float32)
            if self._dead_rows is None:
                self._dead_rows = np.flatnonzero(self._ids == DEAD)
            scores[self._dead_rows] = -np.inf
            candidates = np.arange(len(scores))
            k = min(k, len(self._row_of))
        else:
            scores = np.asarray(self._matrix[rows] @ vector, dtype=np.float32)
            candidates = rows
            k = min(k, len(rows))
        if k < len(scores):
            top = np.argpartition(-scores, k - 1)[:k]
        else:
            top = np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [
            (int(i), float(s)) for i, s in zip(self._ids[candidates[top]], scores[top], strict=True)
        ]

    def _ann(self, vector: Matrix, k: int) -> list[tuple[int, float]] | None:
        k = min(k, len(self._row_of))
        self._hnsw.set_ef(max(self.ef_search, k))
        try:
            labels, distances = self._hnsw.knn_query(vector, k=k, num_threads=1)
        except RuntimeError:  # fewer than k reachable (many deletions): let exact answer
            return None
        return [(int(i), float(1.0 - d)) for i, d in zip(labels[0], distances[0], strict=True)]

    # -- writing -------------------------------------------------------------------------

    def upsert(self, ids: Sequence[int] | Ids, vectors: npt.ArrayLike) -> None:
        """Add or replace vectors (rows are normalised; a zero row removes its id)."""
        keys = np.asarray(ids, dtype=np.int64).reshape(-1)
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape != (len(keys), self.dim):
            raise InvalidInput(
                f"expected vectors of shape ({len(keys)}, {self.dim}), got {matrix.shape}"
            )
        if not len(keys):
            return
        if (keys < 0).any():
            raise InvalidInput("vector ids must not be negative")
        if not np.isfinite(matrix).all():
            raise InvalidInput("vectors must be finite")
        # The last occurrence of a repeated id wins.
        _, last = np.unique(keys[::-1], return_index=True)
        keep = np.sort(len(keys) - 1 - last)
        keys, matrix = keys[keep], matrix[keep]
        norms = np.linalg.norm(matrix, axis=1)
        empty = norms == 0
        fresh_keys = keys[~empty]
        fresh = matrix[~empty] / norms[~empty, None]
        with self._lock, self._reloading_on_failure():
            removed = self._tombstone(keys)
            start = len(self._ids)
            self._append(fresh)
            self._ids = np.concatenate([self._ids, fresh_keys])
            for offset, key in enumerate(fresh_keys.tolist()):
                self._row_of[key] = start + offset
            self._commit()
            if self._hnsw is not None:
                gone = [key for key in keys[empty].tolist() if key in removed]
                self._hnsw_remove(gone)
                self._hnsw_add(fresh_keys, fresh)
            self._after_change()

    def delete(self, ids: Iterable[int]) -> None:
        """Remove ids (unknown ids are ignored)."""
        keys = np.asarray(list(ids), dtype=np.int64).reshape(-1)
        with self._lock, self._reloading_on_failure():
            removed = self._tombstone(keys)
            if not removed:
                return
            self._commit()
            if self._hnsw is not None:
                self._hnsw_remove(sorted(removed))
            self._after_change()

    def compact(self) -> None:
        """Rewrite the matrix without dead rows (results do not change)."""
        with self._lock, self._reloading_on_failure():
            live = np.flatnonzero(self._ids != DEAD)
            ids = self._ids[live]

            def write_matrix(handle: IO[bytes]) -> None:
                for start in range(0, len(live), WRITE_CHUNK):
                    handle.write(self._matrix[live[start : start + WRITE_CHUNK]].tobytes())

            _write_durably(self._compact_matrix, write_matrix)
            _write_durably(self._compact_ids, lambda h: self._write_ids(h, ids))
            _replace_durably(self._compact_marker, lambda h: h.write(b"compacted\n"))
            self._matrix = np.zeros((0, self.dim), dtype=np.float32)  # unmap before replacing
            self._finish_compaction()
            self._load(build_ann=False)

    def save(self) -> None:
        """Make every file current (the matrix and ids already are; this writes HNSW)."""
        with self._lock:
            if self._hnsw is not None and self._hnsw_dirty:
                self._save_hnsw()

    def __enter__(self) -> VectorIndex:
        return self

    def __exit__(self, *_: object) -> None:
        self.save()

    @contextmanager
    def _reloading_on_failure(self) -> Iterator[None]:
        """Undo in-memory changes of a write that failed by reading the committed files."""
        try:
            yield
        except BaseException:
            self._hnsw = None
            self._recover()
            self._load()
            raise

    def _tombstone(self, keys: Ids) -> set[int]:
        removed: set[int] = set()
        for key in keys.tolist():
            row = self._row_of.pop(key, None)
            if row is not None:
                self._ids[row] = DEAD
                removed.add(key)
        return removed

    def _append(self, rows: Matrix) -> None:
        """Write rows after the last committed row, flushed, before the ids commit them."""
        if not len(rows):
            return
        offset = len(self._ids) * self.dim * 4
        fd = os.open(self._matrix_path, os.O_RDWR | os.O_CREAT, 0o644)
        with os.fdopen(fd, "r+b") as handle:
            handle.seek(offset)
            handle.write(np.ascontiguousarray(rows, dtype="<f4").tobytes())
            handle.truncate()
            handle.flush()
            os.fsync(handle.fileno())

    def _write_ids(self, handle: IO[bytes], ids: Ids) -> None:
        meta = np.array([FORMAT, self.dim, self._generation], dtype=np.int64)
        np.savez(handle, ids=ids, meta=meta)

    def _commit(self) -> None:
        self._generation += 1
        _replace_durably(self._ids_path, lambda h: self._write_ids(h, self._ids))
        self._map()
        self._sorted = None
        self._dead_rows = None
        self._hnsw_dirty = self._hnsw is not None

    def _after_change(self) -> None:
        total = len(self._ids)
        if total and (total - len(self._row_of)) > self.compact_ratio * total:
            self.compact()
        live = len(self._row_of)
        if self._hnsw is None and live > self.ann_threshold:
            self._build_hnsw()
        elif self._hnsw is not None and live < 0.8 * self.ann_threshold:
            self._drop_hnsw()  # hysteresis: no rebuild for every add/delete at the boundary
        elif self._hnsw is not None:
            elements = int(self._hnsw.element_count)
            if elements - live > self.compact_ratio * elements:
                self._build_hnsw()  # deleted graph nodes are never reused; start afresh
        if self.autosave:
            self.save()

    # -- opening -------------------------------------------------------------------------

    def _recover(self) -> None:
        """Finish a compaction that committed, or discard one that did not."""
        if self._compact_marker.exists():
            self._finish_compaction()
        for leftover in (
            self._compact_matrix,
            self._compact_ids,
            self._ids_path.with_name(self._ids_path.name + ".tmp"),
            self._hnsw_path.with_name(self._hnsw_path.name + ".tmp"),
            self._hnsw_meta_path.with_name(self._hnsw_meta_path.name + ".tmp"),
        ):
            leftover.unlink(missing_ok=True)

    def _finish_compaction(self) -> None:
        if self._compact_matrix.exists():
            os.replace(self._compact_matrix, self._matrix_path)
        if self._compact_ids.exists():
            os.replace(self._compact_ids, self._ids_path)
        _fsync_dir(self.folder)
        self._compact_marker.unlink(missing_ok=True)

    def _load(self, build_ann: bool = True) -> None:
        if self._ids_path.exists():
            with np.load(self._ids_path) as stored:
                ids = np.asarray(stored["ids"], dtype=np.int64)
                meta = stored["meta"].tolist()
            if meta[0] != FORMAT or meta[1] != self.dim:
                raise InvalidInput(
                    f"the vector index {self._ids_path} holds {meta[1]}-value vectors, not "
                    f"{self.dim}; remove {self.folder} to rebuild it for this embedder"
                )
            self._generation = int(meta[2])
        else:
            ids = np.zeros(0, dtype=np.int64)
            self._generation = 0
        size = self._matrix_path.stat().st_size if self._matrix_path.exists() else 0
        needed = len(ids) * self.dim * 4
        if size < needed:
            raise IndexDamaged(
                f"{self._matrix_path} is shorter than its ids say; remove {self.folder} "
                "and embed again"
            )
        if size > needed:  # rows of an upsert that crashed before it committed
            os.truncate(self._matrix_path, needed)
        self._ids = ids
        self._map()
        live = np.flatnonzero(ids != DEAD)
        self._row_of = dict(zip(ids[live].tolist(), live.tolist(), strict=True))
        self._sorted = None
        self._dead_rows = None
        if build_ann and len(self._row_of) >= 0.8 * self.ann_threshold:
            loaded = self._load_hnsw()
            if not loaded and len(self._row_of) > self.ann_threshold:
                self._build_hnsw()
                self.save()

    def _map(self) -> None:
        rows = len(self._ids)
        if rows:
            self._matrix = np.memmap(self._matrix_path, np.float32, "r", shape=(rows, self.dim))
        else:
            self._matrix = np.zeros((0, self.dim), dtype=np.float32)

    # -- HNSW ----------------------------------------------------------------------------

    def _load_hnsw(self) -> bool:
        try:
            meta = json.loads(self._hnsw_meta_path.read_text())
        except (OSError, ValueError):
            return False
        if meta.get("generation") != self._generation or not self._hnsw_path.exists():
            return False
        index = hnswlib.Index(space="ip", dim=self.dim)
        index.load_index(str(self._hnsw_path))
        index.set_ef(self.ef_search)
        self._hnsw = index
        self._hnsw_dirty = False
        return True

    def _build_hnsw(self) -> None:
        live = np.flatnonzero(self._ids != DEAD)
        index = hnswlib.Index(space="ip", dim=self.dim)
        index.init_index(
            max_elements=max(1024, int(len(live) * 1.25)),
            ef_construction=self.ef_construction,
            M=self.m,
            random_seed=100,
        )
        for start in range(0, len(live), READ_CHUNK):
            rows = live[start : start + READ_CHUNK]
            index.add_items(np.ascontiguousarray(self._matrix[rows]), self._ids[rows])
        index.set_ef(self.ef_search)
        self._hnsw = index
        self._hnsw_dirty = True

    def _drop_hnsw(self) -> None:
        self._hnsw = None
        self._hnsw_dirty = False
        self._hnsw_meta_path.unlink(missing_ok=True)
        self._hnsw_path.unlink(missing_ok=True)

    def _hnsw_add(self, keys: Ids, rows: Matrix) -> None:
        if not len(keys):
            return
        capacity = int(self._hnsw.get_max_elements())
        needed = int(self._hnsw.element_count) + len(keys)
        if needed > capacity:
            self._hnsw.resize_index(max(needed, int(capacity * 1.5)))
        # An existing label (even a deleted one) is updated in place and undeleted.
        self._hnsw.add_items(rows, keys)

    def _hnsw_remove(self, keys: Iterable[int]) -> None:
        for key in keys:
            self._hnsw.mark_deleted(key)

    def _save_hnsw(self) -> None:
        temporary = self._hnsw_path.with_name(self._hnsw_path.name + ".tmp")
        self._hnsw.save_index(str(temporary))
        os.replace(temporary, self._hnsw_path)
        meta = {
            "generation": self._generation,
            "m": self.m,
            "ef_construction": self.ef_construction,
        }
        _replace_durably(self._hnsw_meta_path, lambda h: h.write(json.dumps(meta).encode()))
        self._hnsw_dirty = False


def measure_recall(index: VectorIndex, queries: npt.ArrayLike, k: int = 10) -> float:
    """Return the mean share of the exact top-k that the approximate search also returns."""
    if not index.ann_active:
        raise InvalidInput(
            f"no approximate index: {len(index)} vectors, threshold {index.ann_threshold}"
        )
    matrix = np.asarray(queries, dtype=np.float32).reshape(-1, index.dim)
    shares: list[float] = []
    for query in matrix:
        truth = {i for i, _ in index.search(query, k, exact=True)}
        if truth:
            found = {i for i, _ in index.search(query, k)}
            shares.append(len(truth & found) / len(truth))
    return float(np.mean(shares)) if shares else 1.0
