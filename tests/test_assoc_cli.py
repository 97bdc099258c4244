"""`trayapp assoc ...`, `--assoc NAME` and `exchange --all` as a user runs them (spec/cli.md,
spec/associations.md): real processes, real files, two real emulators on 127.0.0.1.

The default home is ``TRAYAPP_HOME`` (the per-user list lives in its config folder), so an
installation of one association is exactly what an existing user has: no list file at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from trayapp.emulator.server import Emulator

from .test_assoc_apart import FIRST, SECOND, load_org, ok, trayapp


@pytest.fixture()
def emulators(tmp_path: Path) -> Iterator[list[Emulator]]:
    emus = [Emulator(tmp_path / f"emu{i}", org=inn, residents=False)
            for i, inn in enumerate((FIRST[0], SECOND[0]))]  # fmt: skip
    for e in emus:
        e.start()
    yield emus
    for e in emus:
        e.stop()


def test_an_existing_installation_is_the_first_association(tmp_path: Path) -> None:
    load_org(tmp_path, [], *FIRST)
    assert not (tmp_path / "first" / "associations.json").exists()
    listed = json.loads(ok(trayapp(tmp_path, "--json", "assoc", "list")))
    assert [(a["name"], a["inn"], a["home"]) for a in listed] == [
        (FIRST[1], FIRST[0], str((tmp_path / "first").resolve()))]
    status = json.loads(ok(trayapp(tmp_path, "--json", "status")))
    assert status["assoc"] == FIRST[1] and status["last_exchange"] is None
    assert f"ТСЖ: {FIRST[1]} (ИНН {FIRST[0]})" in ok(trayapp(tmp_path, "status"))
    # nothing written by reading: the list file appears only once the list is changed
    assert not (tmp_path / "first" / "associations.json").exists()


def test_add_rename_remove_and_assoc_option(tmp_path: Path) -> None:
    load_org(tmp_path, [], *FIRST)
    out = ok(trayapp(tmp_path, "assoc", "add", "Сосны"))
    new_home = tmp_path / "first" / "data" / "ТСЖ" / "Сосны"
    assert str(new_home) in out and new_home.is_dir()
    load_org(tmp_path, ["--assoc", "Сосны"], *SECOND)
    existing = tmp_path / "ели"
    ok(trayapp(tmp_path, "--home", str(existing), "settings", "set", "coding", "GOROD"))
    ok(trayapp(tmp_path, "assoc", "add", "Ели", "--home", str(existing)))
    listed = json.loads(ok(trayapp(tmp_path, "--json", "assoc", "list")))
    assert [(a["name"], a["inn"]) for a in listed] == [
        (FIRST[1], FIRST[0]), ("Сосны", SECOND[0]), ("Ели", None)]
    assert listed[2]["home"] == str(existing.resolve())
    shown = json.loads(ok(trayapp(tmp_path, "--assoc", "Ели", "--json", "settings", "show")))
    assert shown["coding"] == "GOROD"  # the existing home taken as it is
    # a name taken, the home of another, an unknown name: exit 1, saying which
    r = trayapp(tmp_path, "assoc", "add", "сосны")
    assert r.returncode == 1 and "ТСЖ «Сосны» уже есть" in r.stderr
    r = trayapp(tmp_path, "assoc", "add", "Ещё", "--home", str(existing))
    assert r.returncode == 1 and "«Ели»" in r.stderr
    r = trayapp(tmp_path, "--assoc", "Клёны", "status")
    assert r.returncode == 1 and "нет ТСЖ «Клёны»" in r.stderr
    # --assoc and --home at once: the command line itself is wrong
    r = trayapp(tmp_path, "--assoc", "Сосны", "--home", str(existing), "status")
    assert r.returncode == 2 and "--assoc и --home" in r.stderr
    r = trayapp(tmp_path, "status", "--assoc", "Сосны")  # after the command as well
    assert r.returncode == 0 and "ТСЖ: Сосны" in r.stdout
    ok(trayapp(tmp_path, "assoc", "rename", "Сосны", "ТСЖ «Сосны»"))
    assert "ТСЖ: ТСЖ «Сосны»" in ok(trayapp(tmp_path, "--assoc", "ТСЖ «Сосны»", "status"))
    out = ok(trayapp(tmp_path, "assoc", "remove", "Ели"))
    assert str(existing.resolve()) in out and (existing / "settings.json").is_file()
    listed = json.loads(ok(trayapp(tmp_path, "--json", "assoc", "list")))
    assert [a["name"] for a in listed] == [FIRST[1], "ТСЖ «Сосны»"]
    ok(trayapp(tmp_path, "assoc", "remove", FIRST[1]))  # the first may go too: the next leads
    assert "ТСЖ: ТСЖ «Сосны»" in ok(trayapp(tmp_path, "status"))
    r = trayapp(tmp_path, "assoc", "remove", "ТСЖ «Сосны»")
    assert r.returncode == 1 and "единственное" in r.stderr


def test_exchange_all(tmp_path: Path, emulators: list[Emulator]) -> None:
    load_org(tmp_path, [], *FIRST)
    ok(trayapp(tmp_path, "assoc", "add", "Сосны"))
    ok(trayapp(tmp_path, "assoc", "add", "Пустое"))  # no org, no server: its session fails
    load_org(tmp_path, ["--assoc", "Сосны"], *SECOND)
    for name, emu in zip((FIRST[1], "Сосны"), emulators, strict=True):
        for key, value in (("server_url", emu.url), ("login", "demo"), ("coding", "GOROD")):
            ok(trayapp(tmp_path, "--assoc", name, "settings", "set", key, value))
    env = {"TRAYAPP_PASSWORD": "demo"}
    r = trayapp(tmp_path, "exchange", "--all", env=env)
    assert r.returncode == 1, r.stderr  # the worst of them
    lines = r.stdout.splitlines()
    assert lines and all(ln.startswith((f"{FIRST[1]}: ", "Сосны: ", "Пустое: ")) for ln in lines)
    assert [ln.split(":")[0] for ln in lines if "отправлено файлов" in ln] == [FIRST[1], "Сосны"]
    assert any(ln.startswith("Пустое: ошибка: не загружены данные ТСЖ") for ln in lines)
    data = json.loads(trayapp(tmp_path, "--json", "exchange", "--all", env=env).stdout)
    assert [d["assoc"] for d in data] == [FIRST[1], "Сосны", "Пустое"]
    assert data[0]["errors"] == [] and data[1]["errors"] == [] and data[2]["failed"] is True
    ok(trayapp(tmp_path, "assoc", "remove", "Пустое"))
    assert ok(trayapp(tmp_path, "exchange", "--all", env=env)).count("отправлено файлов") == 2
    r = trayapp(tmp_path, "exchange", "--all", "--assoc", "Сосны", env=env)
    assert r.returncode == 2


def test_a_default_home_never_set_up_is_not_an_association(tmp_path: Path) -> None:
    """Homes added on a fresh installation: the first added leads (commands go there), not
    an empty default home nobody set up."""
    ok(trayapp(tmp_path, "assoc", "add", "Сосны"))
    listed = json.loads(ok(trayapp(tmp_path, "--json", "assoc", "list")))
    assert [a["name"] for a in listed] == ["Сосны"]
    load_org(tmp_path, [], *SECOND)  # no --assoc: the first association of the list
    listed = json.loads(ok(trayapp(tmp_path, "--json", "assoc", "list")))
    assert listed[0]["inn"] == SECOND[0]
    assert not (tmp_path / "first" / "data" / "trayapp.db").exists()


@pytest.mark.parametrize(("name", "said"), [
    ("ТСЖ «Берёзка»", "ТСЖ «Берёзка»"), ("Берёзка", "ТСЖ «Берёзка»"),
    ("УК Центр", "УК Центр"), ('ТСН "Заря"', 'ТСН "Заря"'), ("тсж Клён", "тсж Клён"),
])
def test_an_association_is_named_once_never_tsj_tsj(name: str, said: str) -> None:
    """`assoc add "ТСЖ «Берёзка»"` (the README's own example) said «ТСЖ «ТСЖ «Берёзка»»»."""
    from trayapp.associations import titled

    assert titled(name) == said
    assert "«ТСЖ" not in titled(name) and titled(name).count("ТСЖ") <= 1
