"""An exchange folder that cannot be created is refused when set, in Russian (CLI and window
share ``settings.set_value``)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from trayapp import settings
from trayapp.errors import SettingsError


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TRAYAPP_HOME"}
    return subprocess.run([sys.executable, "-m", "trayapp", "--home", str(home), *args],
                          capture_output=True, text=True, env=env, timeout=60)  # fmt: skip


def test_a_folder_through_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "отчёт.txt"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    home = tmp_path / "home"
    r = run(home, "settings", "set", "folder", str(blocker / "Обмен"))
    assert r.returncode == 1
    assert "создать нельзя" in r.stderr and "это файл" in r.stderr and "Errno" not in r.stderr
    shown = run(home, "settings", "show", "--json")
    assert str(blocker) not in shown.stdout  # nothing saved
    good = tmp_path / "Мои счета обмен"
    assert run(home, "settings", "set", "folder", str(good)).returncode == 0
    assert good.is_dir()


def test_a_folder_too_deep_for_windows_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows keeps a path to 259 characters (long paths are off by default): a folder whose
    deepest temporary answer would pass that is refused when set, before it is created."""
    deep = tmp_path.joinpath(*["Бухгалтерия ТСЖ «Берёзка» документы"] * 6, "Обмен")
    assert len(str(deep)) + settings.TREE_TAIL > settings.WIN_MAX_PATH
    with monkeypatch.context() as m:
        m.setattr(sys, "platform", "win32")
        with pytest.raises(SettingsError) as info:
            settings.set_value(settings.Settings(), "folder", str(deep))
        assert "слишком длинный" in info.value.message and not deep.exists()
        ok = settings.set_value(settings.Settings(), "folder", str(tmp_path / "Обмен"))
    assert ok.folder == str(tmp_path / "Обмен")
    assert settings.set_value(settings.Settings(), "folder", str(deep)).folder == str(deep)


@pytest.mark.parametrize("name", ["Обмен.", "Обмен ", "CON", "nul.txt", "Com1"])
def test_a_folder_name_windows_cannot_keep_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A trailing dot or space is dropped by Windows (the folder made is not the one named);
    device names are not folders at all."""
    folder = tmp_path / name / "Обмен"
    with monkeypatch.context() as m:
        m.setattr(sys, "platform", "win32")
        with pytest.raises(SettingsError) as info:
            settings.check_folder(folder)
        assert name in info.value.message and not folder.exists()
        settings.check_folder(tmp_path / "Обмен. ТСЖ" / "CONSOLE")  # dots inside are fine
    settings.check_folder(folder)  # elsewhere these are ordinary names
    assert folder.is_dir()


def test_a_folder_that_refuses_files_is_refused_though_access_says_yes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows ``os.access(folder, W_OK)`` is true for every folder (issue 20, item 13); the
    check writes a file for real. A folder whose files cannot be created stands in for a
    read-only share: its mkstemp fails while os.access is made to say yes, as Windows does."""
    folder = tmp_path / "Обмен"
    folder.mkdir()
    monkeypatch.setattr(os, "access", lambda *a, **k: True)
    real = tempfile.mkstemp

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        if Path(str(kwargs.get("dir"))) == folder:
            raise PermissionError(13, "Отказано в доступе")
        return real(*args, **kwargs)  # type: ignore[call-overload,no-any-return]

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(SettingsError, match="нет прав на запись в каталог обмена"):
        settings.check_folder(folder)
    monkeypatch.setattr(tempfile, "mkstemp", real)
    settings.check_folder(folder)  # a writable one passes, and keeps no probe file
    assert list(folder.iterdir()) == []
