"""Fixtures for the sprig tests."""

import pytest


@pytest.fixture
def utc_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The oracle ran with Local = UTC; `toDate` and `date` read Local from $TZ as Go does."""
    monkeypatch.setenv("TZ", "UTC")
