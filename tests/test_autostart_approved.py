"""Windows: Task Manager's Startup tab turns autostart off in ``StartupApproved\\Run`` and
leaves the Run value (issue 20, item 10). Read through a winreg-shaped fake here; the real
registry is exercised by tests/test_autostart.py on the Windows runner."""

from __future__ import annotations

from types import TracebackType

from trayapp import autostart

HKCU = 0x80000001


class Key:
    def __init__(self, store: dict[str, dict[str, object]], path: str) -> None:
        self.store, self.path = store, path

    def __enter__(self) -> Key:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        pass


class FakeWinreg:
    """The calls of winreg that autostart makes, over a dict of key path -> values."""

    HKEY_CURRENT_USER = HKCU
    KEY_SET_VALUE = 2
    REG_SZ = 1

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, object]] = {}

    def OpenKey(self, root: int, path: str, reserved: int = 0, access: int = 0) -> Key:  # noqa: N802
        assert root == HKCU
        if path not in self.keys:
            raise FileNotFoundError(2, "no key", path)
        return Key(self.keys, path)

    def CreateKeyEx(self, root: int, path: str, reserved: int = 0, access: int = 0) -> Key:  # noqa: N802
        self.keys.setdefault(path, {})
        return Key(self.keys, path)

    def QueryValueEx(self, key: Key, name: str) -> tuple[object, int]:  # noqa: N802
        if name not in self.keys[key.path]:
            raise FileNotFoundError(2, "no value", name)
        return self.keys[key.path][name], 1

    def SetValueEx(self, key: Key, name: str, reserved: int, kind: int, value: object) -> None:  # noqa: N802
        self.keys[key.path][name] = value

    def DeleteValue(self, key: Key, name: str) -> None:  # noqa: N802
        if name not in self.keys[key.path]:
            raise FileNotFoundError(2, "no value", name)
        del self.keys[key.path][name]


OFF = bytes([0x03]) + bytes(11)  # what Task Manager writes for «Отключено»
ON = bytes([0x02]) + bytes(11)


def test_an_entry_turned_off_by_task_manager_reads_off() -> None:
    reg = FakeWinreg()
    autostart._winreg_set('"C:\\trayapp.exe" tray --minimized', reg)
    assert autostart.windows_enabled(reg)
    reg.CreateKeyEx(HKCU, autostart.APPROVED_KEY)
    reg.keys[autostart.APPROVED_KEY]["trayapp"] = OFF
    assert not autostart.windows_enabled(reg)  # the Run value is still there
    assert autostart._winreg_get(reg) is not None
    reg.keys[autostart.APPROVED_KEY]["trayapp"] = ON
    assert autostart.windows_enabled(reg)


def test_turning_autostart_on_clears_the_mark_of_task_manager() -> None:
    reg = FakeWinreg()
    reg.CreateKeyEx(HKCU, autostart.APPROVED_KEY)
    reg.keys[autostart.APPROVED_KEY]["trayapp"] = OFF
    reg.keys[autostart.APPROVED_KEY]["other"] = OFF  # another program's stays
    autostart._winreg_set('"C:\\trayapp.exe" tray --minimized', reg)
    assert autostart.windows_enabled(reg)
    assert reg.keys[autostart.APPROVED_KEY] == {"other": OFF}
    autostart._winreg_set(None, reg)
    assert not autostart.windows_enabled(reg)
    assert "trayapp" not in reg.keys[autostart.RUN_KEY]
