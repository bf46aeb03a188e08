"""The object store: current objects, one global resourceVersion counter, and a bounded event log for watches.

Objects are plain dicts (JSON in, JSON out). With a `state_path`, every committed write is also written to
SQLite (WAL, synchronous=FULL) inside the same lock before the caller sees it, so a killed server loses
nothing it acknowledged; on start the store reloads the objects and the counter.
"""

from __future__ import annotations

import builtins
import collections
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from wavecd.core.errors import UserInputError
from wavecd.core.jsondoc import clone
from wavecd.core.private_files import PRIVATE_FILE

Key = tuple[str, str, str, str]  # group, plural, namespace ("" = cluster-scoped), name
EVENT_LOG_SIZE = 20000


def _make_private(path: str) -> None:
    """The state holds Secrets, so the database is its owner's alone (0600, whatever the umask). SQLite gives
    the `-wal`, `-shm` and `-journal` files it creates the database's mode; ones left by an earlier run are
    set here too."""
    handle = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        os.fchmod(handle, PRIVATE_FILE)
    finally:
        os.close(handle)
    for suffix in ("-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.chmod(path + suffix, PRIVATE_FILE)


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
        # Indexes, kept in step with `_objects` by `_index` so that the reads the controllers repeat on every
        # reconcile cost what they return, not the store's size:
        # (group, plural) -> {(namespace, name): object}: a list reads one collection, not the whole store;
        self._collections: dict[tuple[str, str], dict[tuple[str, str], dict]] = {}
        # (group, plural) -> namespace -> {name: object}: one namespace of a collection;
        self._namespaces: dict[tuple[str, str], dict[str, dict[str, dict]]] = {}
        # owner uid -> (group, plural) -> {(namespace, name)}: an owner's children (ownerReferences).
        self._owned: dict[str, dict[tuple[str, str], set[tuple[str, str]]]] = {}
        self._events: collections.deque[Event] = collections.deque(maxlen=EVENT_LOG_SIZE)
        self.rv = 1
        self._oldest = 1  # lowest rv a watch may resume from
        self._db: sqlite3.Connection | None = None
        if state_path:
            self._open(state_path)

    # -- persistence --------------------------------------------------------------------------------------
    def _open(self, path: str) -> None:
        try:
            _make_private(path)
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
        except OSError as err:
            raise UserInputError(f"cannot open simulator state {path}: {err.strerror or err}") from None
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
        """Store `obj` under `key` (None removes it) and update every index from the old object to the new one.

        Stored objects are replaced, never mutated, so the old object still shows the owners it was indexed under.
        """
        group, plural, namespace, name = key
        collection = self._collections.setdefault((group, plural), {})
        namespaces = self._namespaces.setdefault((group, plural), {})
        previous = self._objects.get(key)
        if previous is not None:
            for uid in _owner_uids(previous):
                self._unown(uid, (group, plural), (namespace, name))
        if obj is None:
            self._objects.pop(key, None)
            collection.pop((namespace, name), None)
            in_namespace = namespaces.get(namespace)
            if in_namespace is not None:
                in_namespace.pop(name, None)
                if not in_namespace:
                    del namespaces[namespace]
            return
        self._objects[key] = obj
        collection[(namespace, name)] = obj
        namespaces.setdefault(namespace, {})[name] = obj
        for uid in _owner_uids(obj):
            self._owned.setdefault(uid, {}).setdefault((group, plural), set()).add((namespace, name))

    def _unown(self, uid: str, resource: tuple[str, str], where: tuple[str, str]) -> None:
        """Drop one child from an owner's index, and the owner's entry once it has no children left."""
        by_resource = self._owned.get(uid)
        if by_resource is None:
            return
        children = by_resource.get(resource)
        if children is not None:
            children.discard(where)
            if not children:
                del by_resource[resource]
        if not by_resource:
            del self._owned[uid]

    # -- reads ----------------------------------------------------------------------------------------------
    def get(self, key: Key) -> dict | None:
        with self.lock:
            obj = self._objects.get(key)
            return clone(obj) if obj is not None else None

    def peek(self, key: Key) -> dict | None:
        """The stored object itself (no copy): callers must not mutate it."""
        return self._objects.get(key)

    def list(
        self,
        group: str,
        plural: str,
        namespace: str | None = None,
        owner_uid: str | None = None,
        match: Callable[[dict], bool] | None = None,
        *,
        copy: bool = True,
    ) -> list[dict]:
        """Copies of a collection's objects (in one namespace, owned by `owner_uid`, and passing `match`, when
        given), sorted by (namespace, name). `match` sees the stored object, before it is copied: a selective
        list copies what it returns, not the collection. `copy=False` returns the stored objects themselves,
        which callers must not mutate."""
        with self.lock:
            resource = (group, plural)
            if owner_uid is not None:
                collection = self._collections.get(resource, {})
                where = self._owned.get(owner_uid, {}).get(resource, ())
                found = [collection[w] for w in sorted(w for w in where if namespace is None or w[0] == namespace)]
            elif namespace is not None:
                in_namespace = self._namespaces.get(resource, {}).get(namespace, {})
                found = [in_namespace[name] for name in sorted(in_namespace)]
            else:
                collection = self._collections.get(resource, {})
                found = [collection[where] for where in sorted(collection)]
            kept = found if match is None else [obj for obj in found if match(obj)]
            return [clone(obj) for obj in kept] if copy else kept

    def dependents(self, uid: str) -> builtins.list[Key]:
        """Keys of every object with an ownerReference to `uid`, sorted."""
        with self.lock:
            by_resource = self._owned.get(uid, {})
            return sorted(
                (group, plural, ns, name) for (group, plural), where in by_resource.items() for ns, name in where
            )

    def names(self, group: str, plural: str, namespace: str) -> builtins.list[str]:
        with self.lock:
            return list(self._namespaces.get((group, plural), {}).get(namespace, ()))

    def count(self, group: str, plural: str, namespace: str | None = None) -> int:
        with self.lock:
            if namespace is None:
                return len(self._collections.get((group, plural), ()))
            return len(self._namespaces.get((group, plural), {}).get(namespace, ()))

    def all_keys(self) -> builtins.list[Key]:
        with self.lock:
            return sorted(self._objects)

    # -- writes ----------------------------------------------------------------------------------------------
    def put(self, key: Key, obj: dict, *, keep_version: bool = False) -> dict:
        """Store `obj` under a new resourceVersion and tell watchers; returns a copy of what was stored. With
        `keep_version`, the object keeps the resourceVersion another server gave it (a mirror of that server:
        writes sent there must name the version it knows)."""
        with self.lock:
            self.rv += 1
            stored = clone(obj)
            if not keep_version:
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
        """Events with resourceVersion > rv (caller holds the lock).

        Read from the newest end: a watcher wakes on every write and wants the few events since its last read,
        so this costs what it returns, not the length of the log.
        """
        newer = []
        for event in reversed(self._events):
            if event.rv <= rv:
                break
            newer.append(event)
        newer.reverse()
        return iter(newer)


def _owner_uids(obj: dict) -> set[str]:
    refs = (obj.get("metadata") or {}).get("ownerReferences")
    return {r["uid"] for r in refs or () if isinstance(r, dict) and isinstance(r.get("uid"), str)}
