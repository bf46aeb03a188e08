"""The object store: current objects, one global resourceVersion counter, and a bounded event log for watches.

Objects are plain dicts (JSON in, JSON out). With a `state_path`, every committed write is also written to
SQLite (WAL, synchronous=FULL) inside the same lock before the caller sees it, so a killed server loses
nothing it acknowledged; on start the store reloads the objects and the counter.
"""

from __future__ import annotations

import collections
import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from wavecd.core.errors import UserInputError

Key = tuple[str, str, str, str]  # group, plural, namespace ("" = cluster-scoped), name
EVENT_LOG_SIZE = 20000


def clone(value):
    """A deep copy of JSON-shaped data (dicts, lists, scalars): several times faster than `copy.deepcopy`."""
    if type(value) is dict:
        return {k: clone(v) for k, v in value.items()}
    if type(value) is list:
        return [clone(v) for v in value]
    return value


@dataclass(frozen=True)
class Event:
    rv: int
    type: str  # ADDED | MODIFIED | DELETED
    key: Key
    object: dict
    previous: dict | None = None  # the object before this change: lets a filtered watch see it leave or enter


class Store:
    def __init__(self, state_path: str | None = None):
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self._objects: dict[Key, dict] = {}
        # (group, plural) -> {(namespace, name): object}: lists read one collection, not the whole store
        self._collections: dict[tuple[str, str], dict[tuple[str, str], dict]] = {}
        self._events: collections.deque[Event] = collections.deque(maxlen=EVENT_LOG_SIZE)
        self.rv = 1
        self._oldest = 1  # lowest rv a watch may resume from
        self._db: sqlite3.Connection | None = None
        if state_path:
            self._open(state_path)

    # -- persistence --------------------------------------------------------------------------------------
    def _open(self, path: str) -> None:
        try:
            db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("CREATE TABLE IF NOT EXISTS objects (k TEXT PRIMARY KEY, body TEXT NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
            for key_text, body in db.execute("SELECT k, body FROM objects"):
                self._index(tuple(json.loads(key_text)), json.loads(body))
            row = db.execute("SELECT value FROM meta WHERE name='rv'").fetchone()
        except sqlite3.Error as err:
            raise UserInputError(f"cannot open simulator state {path}: {err}") from None
        if row:
            self.rv = row[0]
        self._oldest = self.rv
        self._db = db

    def _persist(self, key: Key, obj: dict | None) -> None:
        if self._db is None:
            return
        text = json.dumps(list(key))
        with self._db:
            self._db.execute("BEGIN")
            if obj is None:
                self._db.execute("DELETE FROM objects WHERE k=?", (text,))
            else:
                self._db.execute(
                    "INSERT INTO objects (k, body) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET body=excluded.body",
                    (text, json.dumps(obj, separators=(",", ":"))),
                )
            self._db.execute(
                "INSERT INTO meta (name, value) VALUES ('rv', ?) ON CONFLICT(name) DO UPDATE SET value=excluded.value",
                (self.rv,),
            )

    def close(self) -> None:
        with self.lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _index(self, key: Key, obj: dict | None) -> None:
        group, plural, namespace, name = key
        collection = self._collections.setdefault((group, plural), {})
        if obj is None:
            self._objects.pop(key, None)
            collection.pop((namespace, name), None)
        else:
            self._objects[key] = obj
            collection[(namespace, name)] = obj

    # -- reads ----------------------------------------------------------------------------------------------
    def get(self, key: Key) -> dict | None:
        with self.lock:
            obj = self._objects.get(key)
            return clone(obj) if obj is not None else None

    def peek(self, key: Key) -> dict | None:
        """The stored object itself (no copy): callers must not mutate it."""
        return self._objects.get(key)

    def list(self, group: str, plural: str, namespace: str | None = None, owner_uid: str | None = None) -> list[dict]:
        """Copies of a collection's objects (in one namespace, and owned by `owner_uid`, when given)."""
        with self.lock:
            collection = self._collections.get((group, plural), {})
            # Filter before sorting: controllers list one owner's children in one namespace, many times.
            kept = [
                (key, obj)
                for key, obj in collection.items()
                if (namespace is None or key[0] == namespace) and (owner_uid is None or _owned_by(obj, owner_uid))
            ]
            kept.sort(key=lambda item: item[0])
            return [clone(obj) for _, obj in kept]

    def dependents(self, uid: str) -> list[Key]:
        """Keys of every object with an ownerReference to `uid`."""
        with self.lock:
            return [key for key, obj in self._objects.items() if _owned_by(obj, uid)]

    def names(self, group: str, plural: str, namespace: str) -> list[str]:
        with self.lock:
            return [name for ns, name in self._collections.get((group, plural), {}) if ns == namespace]

    def count(self, group: str, plural: str, namespace: str | None = None) -> int:
        with self.lock:
            collection = self._collections.get((group, plural), {})
            return sum(1 for ns, _ in collection if namespace is None or ns == namespace)

    def all_keys(self) -> list[Key]:
        with self.lock:
            return sorted(self._objects)

    # -- writes ----------------------------------------------------------------------------------------------
    def put(self, key: Key, obj: dict) -> dict:
        """Store `obj` under a new resourceVersion and tell watchers; returns a copy of what was stored."""
        with self.lock:
            self.rv += 1
            stored = clone(obj)
            stored.setdefault("metadata", {})["resourceVersion"] = str(self.rv)
            previous = self._objects.get(key)
            kind = "MODIFIED" if previous is not None else "ADDED"
            self._persist(key, stored)
            self._index(key, stored)
            self._record(Event(self.rv, kind, key, stored, previous))
            return clone(stored)

    def delete(self, key: Key) -> dict | None:
        with self.lock:
            obj = self._objects.get(key)
            if obj is None:
                return None
            self.rv += 1
            self._persist(key, None)
            self._index(key, None)
            last = clone(obj)
            last["metadata"]["resourceVersion"] = str(self.rv)
            self._record(Event(self.rv, "DELETED", key, last, obj))
            return clone(last)

    def _record(self, event: Event) -> None:
        """Append to the event log (stored objects are replaced, never mutated, so events can share them)."""
        if len(self._events) == self._events.maxlen:
            self._oldest = self._events[0].rv  # a watch from before the dropped event cannot be replayed
        self._events.append(event)
        self.changed.notify_all()

    # -- watch support ----------------------------------------------------------------------------------------
    def oldest_resumable(self) -> int:
        return self._oldest

    def events_after(self, rv: int) -> Iterator[Event]:
        """Events with resourceVersion > rv (caller holds the lock)."""
        if not self._events or self._events[-1].rv <= rv:
            return iter(())
        return (e for e in list(self._events) if e.rv > rv)


def _owned_by(obj: dict, uid: str) -> bool:
    refs = (obj.get("metadata") or {}).get("ownerReferences")
    return bool(refs) and any(r.get("uid") == uid for r in refs)
