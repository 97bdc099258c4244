"""Fuzzing of every reader in the normal suite (a few hundred inputs each; the long run is
``tests/fuzz/run.py``): mutated correct and broken files, and raw bytes. A reader gives records
or its own error with real line numbers, never another exception (tests/fuzz/readers.py)."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.mutator import mutate
from tests.fuzz.readers import all_readers

READERS = all_readers()
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", sorted(READERS))
@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_mutated_inputs(name: str, seed: int) -> None:
    reader, seeds = READERS[name]
    assert reader(mutate(random.Random(seed), seeds)) in ("ok", "refused")


@pytest.mark.parametrize("name", sorted(READERS))
@SETTINGS
@given(data=st.binary(max_size=2000))
def test_raw_bytes(name: str, data: bytes) -> None:
    reader: Callable[[bytes], str] = READERS[name][0]
    assert reader(data) in ("ok", "refused")


@pytest.mark.parametrize("name", sorted(READERS))
def test_the_seeds_include_a_correct_input(name: str) -> None:
    reader, seeds = READERS[name]
    assert "ok" in [reader(s) for s in seeds]


@pytest.mark.parametrize("text", [
    '{"folder": "D:\\\\\\ud800"}', '{"folder": "a\\u0000b"}', '{"server_url": "http://["}',
    '{"folder": "' + "1" * 5000 + '"}', '{"database": "x\\u0000.db"}',
])
def test_settings_values_found_by_fuzzing_are_refused(text: str) -> None:
    """Each crashed ``settings.load`` with ValueError, UnicodeEncodeError or OSError."""
    assert READERS["settings"][0](text.encode()) == "refused"
