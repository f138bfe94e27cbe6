"""Fixtures the UI tests share."""

from __future__ import annotations

import time

import pytest


@pytest.fixture
def tokyo(monkeypatch):
    """Local time is Japan's (UTC+9, no daylight saving), whatever the machine says."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
