"""The controller's work list: requests made while the worker is busy coalesce into one round (one walk,
each app once), a hard walk wins over a normal one, and closing wakes and ends a waiting worker."""

from __future__ import annotations

import threading
import time

from wavecd.server.refresh_queue import Batch, RefreshQueue


def test_requests_made_meanwhile_become_one_round():
    queue = RefreshQueue()
    queue.refresh("web")
    queue.refresh("web", "db")
    queue.walk()
    queue.walk()
    assert queue.take(timeout=0) == Batch(apps={"web", "db"}, walk=True, if_moved=False)
    assert queue.take(timeout=0) == Batch()  # taken: nothing is left over for the next round


def test_a_hard_walk_wins_over_normal_ones_in_either_order():
    queue = RefreshQueue()
    queue.walk()
    queue.walk(hard=True)
    queue.walk()
    assert queue.take(timeout=0) == Batch(walk=True, hard=True, if_moved=False)
    queue.walk(everything=True)
    queue.walk()
    assert queue.take(timeout=0) == Batch(walk=True, everything=True, if_moved=False)


def test_nothing_pending_is_an_empty_batch_after_the_timeout():
    queue = RefreshQueue()
    started = time.monotonic()
    batch = queue.take(timeout=0.2)
    assert batch is not None and not batch
    assert time.monotonic() - started >= 0.2


def test_a_request_wakes_a_waiting_worker():
    queue = RefreshQueue()
    taken: list[Batch | None] = []
    worker = threading.Thread(target=lambda: taken.append(queue.take(timeout=30)))
    worker.start()
    time.sleep(0.1)
    queue.refresh("web")
    worker.join(timeout=5)
    assert taken == [Batch(apps={"web"})]


def test_close_ends_a_waiting_worker_and_every_later_take():
    queue = RefreshQueue()
    taken: list[Batch | None] = []
    worker = threading.Thread(target=lambda: taken.append(queue.take(timeout=30)))
    worker.start()
    time.sleep(0.1)
    queue.close()
    worker.join(timeout=5)
    assert taken == [None]
    queue.refresh("web")  # work asked for after the end is not handed out
    assert queue.take(timeout=0) is None


def test_a_webhook_walk_is_conditional_until_any_request_wants_the_walk_regardless():
    queue = RefreshQueue()
    for _ in range(200):  # a burst of webhooks
        queue.walk(if_moved=True)
    batch = queue.take(timeout=0)
    assert batch is not None and (batch.walk, batch.if_moved) == (True, True)
    queue.walk(if_moved=True)
    queue.walk()  # a refresh or a poll that saw a commit move
    batch = queue.take(timeout=0)
    assert batch is not None and (batch.walk, batch.if_moved) == (True, False)
