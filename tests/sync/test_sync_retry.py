"""One reading of `syncPolicy.retry`'s backoff for `wavecd sync` (in-process retries) and the controller
(retries recorded in the operation): Argo CD's `RetryStrategy.NextRetryAt`, duration × factor^count capped at
maxDuration when positive. They differ only in what an unreadable duration does: `wavecd sync` takes the
default, the controller fails the operation with Argo CD's message."""

from __future__ import annotations

import pytest

from wavecd.sync.retry import retry_policy, retry_wait

SPEC = {"limit": 5, "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"}}


def test_the_cli_and_the_controller_wait_alike():
    policy = retry_policy(SPEC)
    assert policy is not None
    waits = [policy.wait(count) for count in range(1, 8)]
    assert waits == [retry_wait(SPEC, count) for count in range(1, 8)]
    # Argo CD's documented defaults: 5 s doubled per retry, at most 3 minutes (the failed attempt counted).
    assert waits == [10, 20, 40, 80, 160, 180, 180]


def test_a_max_duration_of_zero_caps_nothing():
    spec = {"limit": 3, "backoff": {"duration": "1s", "factor": 10, "maxDuration": "0"}}
    assert retry_policy(spec).wait(4) == retry_wait(spec, 4) == 10_000


def test_an_unreadable_duration_is_forgiven_by_the_cli_and_refused_by_the_controller():
    spec = {"limit": 2, "backoff": {"duration": "soon"}}
    assert retry_policy(spec).wait(1) == retry_wait({}, 1) == 10
    with pytest.raises(ValueError, match="unable to parse soon as a duration"):
        retry_wait(spec, 1)
