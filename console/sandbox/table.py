"""One kind of sandbox object by id: live dicts, or compressed JSON for the bulk of a large account."""

from __future__ import annotations

import bisect
import ctypes
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import orjson
import zstandard

# (created, _seq) packed in one int: the newest-first order of Stripe's lists is by created, then by creation.
_SEQ_BITS = 40
# How many of a table's first objects prime its compression dictionary (with Stripe's example object).
_DICTIONARY_SAMPLES = 8


_WORKER: list[ThreadPoolExecutor] = []
_WORKER_LOCK = threading.Lock()


def _worker() -> ThreadPoolExecutor:
    with _WORKER_LOCK:
        if not _WORKER:
            _WORKER.append(ThreadPoolExecutor(1, thread_name_prefix="sandbox-compress"))
        return _WORKER[0]


def release_freed_memory() -> None:
    """Return to the system what a large seed freed: glibc keeps what the compressing thread freed in that
    thread's own arena (a fifth of a large sandbox's RSS). Nothing to do where the C library is not glibc."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # no such function, or (Windows) no process-wide library
        pass


def order_key(obj: dict[str, Any]) -> int:
    """Where an object sorts in its list, oldest first (a deleted customer's stub, with no `created`, first)."""
    return (obj.get("created") or 0) << _SEQ_BITS | (obj.get("_seq") or 0)


class Table(MutableMapping[str, dict[str, Any]]):
    """Objects of one kind. Reading one with [] or get() makes it live (a dict that later changes are made
    to); `peek` reads without that. `freeze` compresses live objects (zstd with a dictionary made of
    Stripe's example object and the table's first objects): a subscription's 9 KB of dicts become about
    300 bytes, which is how a million-customer account fits in memory. The order of the list endpoints is
    kept here too, by id, so that a page never needs the objects around it."""

    def __init__(
        self, kind: str, example: bytes = b"", indexed: Mapping[str, Callable[[dict[str, Any]], Any]] | None = None
    ) -> None:
        self.kind = kind
        self._example = example
        self._index_of = dict(indexed or {})  # name -> what it reads of an object
        self._index: dict[str, dict[Any, set[str]]] = {name: {} for name in self._index_of}
        self._items: dict[str, dict[str, Any] | bytes] = {}
        self._keys: dict[str, int] = {}
        self._live: set[str] = set()  # live since the last freeze
        self._asc: list[str] | None = None  # ids, oldest first (None: sorted again when asked)
        self._asc_keys: list[int] = []
        self._pos: dict[str, int] | None = None  # id -> index in _asc
        self._pack: zstandard.ZstdCompressor | None = None
        self._pack_behind: zstandard.ZstdCompressor | None = None
        self._landing: deque[tuple[list[str], list[dict[str, Any]], Future[Any]]] = deque()
        self._unpack: zstandard.ZstdDecompressor | None = None

    # the mapping (what handlers change) -----------------------------------------
    def __getitem__(self, obj_id: str) -> dict[str, Any]:
        value = self._items[obj_id]
        if isinstance(value, bytes):
            value = self._decode(value)
            self._items[obj_id] = value
            self._live.add(obj_id)
        return value

    def __setitem__(self, obj_id: str, obj: dict[str, Any]) -> None:
        key, old = order_key(obj), self._keys.get(obj_id)
        self._items[obj_id] = obj
        self._keys[obj_id] = key
        self._live.add(obj_id)
        for name, index in self._index.items():
            index.setdefault(self._index_of[name](obj), set()).add(obj_id)
        if old == key or self._asc is None:
            return
        if old is None and (not self._asc_keys or key >= self._asc_keys[-1]):  # the usual case: the newest
            self._asc.append(obj_id)
            self._asc_keys.append(key)
            if self._pos is not None:
                self._pos[obj_id] = len(self._asc) - 1
        else:
            self._asc = self._pos = None

    def put_frozen(self, obj: dict[str, Any]) -> None:
        """Store a new object compressed at once (an event, which never changes: its snapshot is taken by
        serialising it, with no copy in between)."""
        obj_id = obj["id"]
        if self._pack is None:
            self._start_compression([obj])
        assert self._pack is not None
        self[obj_id] = obj  # ordered and indexed as any object, then replaced by its bytes
        # copied: the library's answer keeps the whole buffer it was given (about 4 KB) behind its bytes
        self._items[obj_id] = bytes(memoryview(self._pack.compress(orjson.dumps(obj))))
        self._live.discard(obj_id)

    def __delitem__(self, obj_id: str) -> None:
        del self._items[obj_id]
        del self._keys[obj_id]
        self._live.discard(obj_id)
        self._asc = self._pos = None

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, obj_id: object) -> bool:
        return obj_id in self._items

    def peek(self, obj_id: str) -> dict[str, Any] | None:
        """The object to read and render, not to change: a frozen one is decoded for this read alone."""
        value = self._items.get(obj_id)
        if isinstance(value, bytes):
            return self._decode(value)
        return value

    def where(self, name: str, value: Any) -> list[dict[str, Any]]:
        """The objects whose indexed `name` (a field that never changes, like an invoice's customer) is
        `value`, peeked, newest first: a customer's invoices without reading every invoice."""
        found = []
        read = self._index_of[name]
        for obj_id in self._index[name].get(value, ()):
            obj = self.peek(obj_id)
            if obj is not None and read(obj) == value:  # an id whose object changed or went is skipped
                found.append((self._keys[obj_id], obj))
        return [o for _, o in sorted(found, key=lambda pair: pair[0], reverse=True)]

    def scan(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every object, peeked (a search that changes only what it finds takes those with [])."""
        for obj_id in list(self._items):
            found = self.peek(obj_id)
            if found is not None:
                yield obj_id, found

    def plain(self) -> dict[str, dict[str, Any]]:
        """Every object as a dict of its own, for saving the account."""
        return {obj_id: obj for obj_id, obj in self.scan()}

    # order (newest first, as lists return objects) -----------------------------
    def count(self) -> int:
        return len(self._items)

    def newest(self, index: int) -> dict[str, Any]:
        """The index-th object of the newest-first list, peeked."""
        asc = self._sorted()
        found = self.peek(asc[len(asc) - 1 - index])
        assert found is not None
        return found

    def position(self, obj_id: str) -> int | None:
        """An object's index in the newest-first list: where a `starting_after` cursor continues."""
        asc = self._sorted()
        if self._pos is None:
            self._pos = {i: n for n, i in enumerate(asc)}
        where = self._pos.get(obj_id)
        return None if where is None else len(asc) - 1 - where

    def created_bounds(self, lowest: int | None, highest: int | None) -> tuple[int, int]:
        """The newest-first index range of objects created within [lowest, highest] (either open)."""
        asc = self._sorted()
        n = len(asc)
        first = 0 if lowest is None else bisect.bisect_left(self._asc_keys, lowest << _SEQ_BITS)
        last = n if highest is None else bisect.bisect_left(self._asc_keys, (highest + 1) << _SEQ_BITS)
        return n - last, n - first

    def _sorted(self) -> list[str]:
        if self._asc is None:
            pairs = sorted(self._keys.items(), key=lambda kv: kv[1])
            self._asc = [i for i, _ in pairs]
            self._asc_keys = [k for _, k in pairs]
            self._pos = None
        return self._asc

    # compression ---------------------------------------------------------------
    def freeze(self, *, wait: bool = True) -> None:
        """Compress the objects made live since the last freeze (nobody may hold one of them after this).

        `wait=False` (the seed, between customers): serialised now, compressed on a worker thread while the
        seed goes on (zstd lets go of the interpreter), and stored at a later freeze, unless the object was
        taken live again meanwhile (it then stays live)."""
        self._land(block=True)  # the last batch, compressed meanwhile
        if self._live:
            if self._pack is None:
                samples = (self._items[i] for i in list(self._live)[:_DICTIONARY_SAMPLES])
                self._start_compression([v for v in samples if isinstance(v, dict)])
            assert self._pack_behind is not None
            objs = {i: v for i in self._live if isinstance(v := self._items[i], dict)}
            ids = list(objs)
            raws: list[bytes | bytearray | memoryview[int]] = [orjson.dumps(obj) for obj in objs.values()]
            job = _worker().submit(self._pack_behind.multi_compress_to_buffer, raws)
            self._landing.append((ids, list(objs.values()), job))
            self._live.clear()
        if wait:
            self._land(block=True)

    def _land(self, *, block: bool) -> None:
        while self._landing and (block or self._landing[0][2].done()):
            ids, objs, job = self._landing.popleft()
            for obj_id, obj, frame in zip(ids, objs, job.result(), strict=True):
                if obj_id not in self._live and self._items.get(obj_id) is obj:  # untouched since it was read
                    self._items[obj_id] = frame.tobytes()  # a copy: the frames share one buffer

    def _start_compression(self, samples: list[dict[str, Any]]) -> None:
        content = self._example + b"".join(orjson.dumps(s) for s in samples)
        dictionary = zstandard.ZstdCompressionDict(content, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
        self._pack = zstandard.ZstdCompressor(level=1, dict_data=dictionary, write_dict_id=False)
        # the worker's own: a compressor is not to be shared between threads
        self._pack_behind = zstandard.ZstdCompressor(level=1, dict_data=dictionary, write_dict_id=False)
        self._unpack = zstandard.ZstdDecompressor(dict_data=dictionary)

    def _decode(self, data: bytes) -> dict[str, Any]:
        assert self._unpack is not None
        obj: dict[str, Any] = orjson.loads(self._unpack.decompress(data))
        return obj
