"""Shared test fixtures: where ../shared (the evaluation corpus beside the repository) lives."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ../shared folder; tests that need it fail loudly if it is missing (CI always has it)."""
    assert SHARED.is_dir(), f"../shared not found at {SHARED}"
    return SHARED
