"""A folder created outside the profile gets an owner-only ACL (issue 20, item 11): the
command and the decisions, with a stand-in runner; icacls itself runs only on Windows."""

from __future__ import annotations

import subprocess
from typing import Any

from trayapp.winacl import restrict_new_folder

ENV = {"USERPROFILE": r"C:\Users\Бухгалтер", "USERNAME": "Бухгалтер", "USERDOMAIN": "ТСЖ-ПК"}


class Runner:
    def __init__(self, code: int = 0) -> None:
        self.code = code
        self.calls: list[list[str]] = []

    def __call__(self, cmd: list[str], **kw: Any) -> subprocess.CompletedProcess[bytes]:
        self.calls.append(cmd)
        assert kw["creationflags"] == 0x08000000  # no console window from the windowed app
        return subprocess.CompletedProcess(cmd, self.code, b"", b"")


def test_a_folder_on_another_drive_becomes_the_users_alone() -> None:
    run = Runner()
    assert restrict_new_folder(r"D:\Обмен", run, ENV)
    assert run.calls == [["icacls", r"D:\Обмен", "/inheritance:r", "/grant:r",
                          r"ТСЖ-ПК\Бухгалтер:(OI)(CI)F", "*S-1-5-18:(OI)(CI)F",
                          "*S-1-5-32-544:(OI)(CI)F", "/Q"]]  # fmt: skip


def test_the_profile_is_left_as_it_is() -> None:
    run = Runner()
    assert not restrict_new_folder(r"C:\Users\Бухгалтер\AppData\Local\trayapp", run, ENV)
    assert not restrict_new_folder(r"c:\users\бухгалтер", run, ENV)
    assert run.calls == []
    # a sibling whose name starts the same is not inside
    assert restrict_new_folder(r"C:\Users\Бухгалтер2\Обмен", run, ENV)


def test_a_refusal_is_logged_not_raised() -> None:
    assert not restrict_new_folder(r"D:\Обмен", Runner(code=5), ENV)
    assert not restrict_new_folder(r"D:\Обмен", Runner(), {"USERPROFILE": r"C:\Users\x"})
