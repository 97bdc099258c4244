"""Boundaries of every bounded setting: the smallest and the largest allowed value are
taken (and kept through the settings file), one step past either end is refused in Russian
with the key named, and nothing is changed by a refusal.

- ``bank_days``: 0..60 (bank.md); ``bank_fee_percent``: 0 to below 100, ten decimals at most;
  ``bank_agent_inn``: 10 or 12 digits (or empty);
- ``schedule_minutes``: 0 (off), 1..1440;
- ``backup_keep``: 1..999 (backup.md's «the last N»).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from trayapp import settings as st
from trayapp.errors import SettingsError
from trayapp.paths import AppPaths

# key -> (values taken as they are stored, values refused)
BOUNDS: dict[str, tuple[dict[str, object], list[str]]] = {
    "bank_days": ({"0": 0, "1": 1, "59": 59, "60": 60}, ["-1", "61", "99", "100", "600"]),
    "bank_fee_percent": (
        {"0": "0", "0.0000000001": "0.0000000001", "99.9999999999": "99.9999999999",
         "99,9999999999": "99.9999999999", "99.99": "99.99", "99": "99"},
        ["100", "100.0", "100,0000000000", "-0.0000000001", "-1", "101"],
    ),
    "bank_agent_inn": (
        {"": "", "5401000009": "5401000009", "540100000912": "540100000912"},
        ["540100000", "54010000091", "5401000009123"],
    ),
    "schedule_minutes": ({"0": 0, "1": 1, "1439": 1439, "1440": 1440},
                         ["-1", "1441", "14400"]),
    "backup_keep": ({"1": 1, "2": 2, "998": 998, "999": 999}, ["0", "-1", "1000", "9990"]),
}
CASES_OK = [(k, v, stored) for k, (ok, _) in BOUNDS.items() for v, stored in ok.items()]
CASES_BAD = [(k, v) for k, (_, bad) in BOUNDS.items() for v in bad]
# the limits themselves, in the Russian message of a refusal
SAYS = {"bank_days": "от 0 до 60", "bank_fee_percent": "от 0 до 100 (не включая 100)",
        "bank_agent_inn": "10 или 12 цифр", "schedule_minutes": "от 1 до 1440",
        "backup_keep": "от 1 до 999"}


@pytest.mark.parametrize(("key", "value", "stored"), CASES_OK)
def test_the_ends_of_the_range_are_taken(key: str, value: str, stored: object) -> None:
    s = st.set_value(st.Settings(), key, value)
    assert getattr(s, key) == stored


@pytest.mark.parametrize(("key", "value"), CASES_BAD)
def test_one_past_either_end_is_refused(key: str, value: str) -> None:
    before = st.Settings()
    with pytest.raises(SettingsError) as info:
        st.set_value(before, key, value)
    assert SAYS[key] in info.value.message and value in info.value.message
    assert before == st.Settings()  # frozen: the settings in hand are unchanged


def test_the_largest_values_survive_the_settings_file(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path / "home")
    s = st.Settings()
    largest = {"bank_days": "60", "bank_fee_percent": "99,9999999999",
               "bank_agent_inn": "540100000912", "schedule_minutes": "1440", "backup_keep": "999"}
    for key, value in largest.items():
        s = st.set_value(s, key, value)
    st.save(paths, s)
    back = st.load(paths)
    assert (back.bank_days, back.bank_fee_percent, back.bank_agent_inn,
            back.schedule_minutes, back.backup_keep) == (
        60, "99.9999999999", "540100000912", 1440, 999)  # fmt: skip


@pytest.mark.parametrize(("key", "value"), [("bank_days", 61), ("bank_fee_percent", "100"),
                                            ("schedule_minutes", 1441), ("backup_keep", 1000),
                                            ("backup_keep", 0), ("bank_days", -1)])
def test_a_settings_file_one_past_the_end_is_refused(tmp_path: Path, key: str,
                                                     value: object) -> None:
    paths = AppPaths.resolve(tmp_path / "home")
    paths.config_dir.mkdir(parents=True)
    paths.settings_file.write_text(json.dumps({key: value}), encoding="utf-8")
    with pytest.raises(SettingsError, match=SAYS[key].replace("(", r"\(").replace(")", r"\)")):
        st.load(paths)


def test_the_longest_exchange_folder_windows_can_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows: the folder whose deepest temporary answer is exactly 259 characters is taken,
    one character more is refused (before anything is created)."""
    longest = st.WIN_MAX_PATH - st.TREE_TAIL
    base = str(tmp_path) + "/"
    fits = Path(base + "a" * (longest - len(base)))
    past = Path(base + "b" * (longest + 1 - len(base)))
    assert len(str(fits)) == longest and len(str(past)) == longest + 1
    monkeypatch.setattr(sys, "platform", "win32")
    assert st.set_value(st.Settings(), "folder", str(fits)).folder == str(fits)
    with pytest.raises(SettingsError, match=f"допустимо до {longest}"):
        st.set_value(st.Settings(), "folder", str(past))
    assert not past.exists()
