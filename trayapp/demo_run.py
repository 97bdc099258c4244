"""``trayapp demo``: the whole cycle on one machine, with nothing else installed.

Makes a demo association in a demo home (by default ``<data folder>/demo``, or ``--home``),
starts the «Мои счета» emulator on a free loopback port, points the settings at it, and runs
the cycle the manual describes: generate the Services, Debts and Meters registries,
exchange (answers and the owners' payments and readings arrive), exchange again, accept what
the owners sent (documents, report, confirmations), and exchange once more to send the
confirmations. It prints what happened at each step. It needs no keyring: it knows the
emulator's password. Stopping it stops the emulator it started.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from trayapp import console
from trayapp import settings as st
from trayapp.app import App, setup_logging
from trayapp.core import values as v
from trayapp.errors import AppError
from trayapp.fsutil import retry_busy
from trayapp.paths import AppPaths

log = logging.getLogger(__name__)

MARKER = ".trayapp-demo"
DEMO_LOGIN = "demo"
DEMO_PASSWORD = "demo"
DEMO_CODING = "GOROD"


def demo_home(home: str | None) -> Path:
    if home:
        return Path(home).expanduser().resolve()
    return AppPaths.resolve(None).data_dir / "demo"


def _prepare(root: Path) -> None:
    """Start from a clean demo home; never wipe a folder that is not a demo's."""
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise AppError(
                f"каталог {root} не пуст и не создан демонстрацией: укажите другой --home"
            )
        # a report left open in Excel, an antivirus scan: wait it out, then say so in Russian
        retry_busy(lambda: shutil.rmtree(root), str(root))
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text("demo home of trayapp; `trayapp demo` recreates it\n", "utf-8")


def _quoted(name: str) -> str:
    """«name», unless the name carries its own quotes (ТСЖ «Титова 12»)."""
    return name if "«" in name else f"«{name}»"


def can_show_tray() -> bool:
    """A desktop to show the tray and the window on.

    Not a terminal: a demo started from a launcher or a shortcut has its output going to a
    file or nowhere (``sys.stdout`` is None under pythonw), and is just as much watched.
    ``--no-tray`` or ``--json`` end the demo after the cycle instead.
    """
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


DEMO_AGENT = "5406000777"  # the demo's payment agent (bank.md: bank_agent_inn)


def _demo_bank(app: App, s: Any, root: Path, say: Any, out: dict[str, Any]) -> Any:
    """The agent's transfers of the pending payments registries (net of a 1.5 % fee, each
    naming its registry) as the bank's statement, imported: the registries are «сверено»."""
    from trayapp.core.accept import list_pending
    from trayapp.core.bank import import_statement
    from trayapp.core.db import bank as bank_sql
    from trayapp.core.formats.clientbank import BankDocument, Statement, render
    from trayapp.core.reconcile import fee_of, matches_by_file

    for key, value in (("bank_agent_inn", DEMO_AGENT), ("bank_fee_percent", "1.5")):
        s = st.set_value(s, key, value)
    app.save_settings(s)
    own = bank_sql.org_account(app.db) or "40703810000000000001"
    terms = s.bank_terms()
    docs = []
    for n, item in enumerate(list_pending(app.db, app.tree), 1):
        if item.kind == "PAYMENTS":
            docs.append(BankDocument(
                0, "Платежное поручение", str(700 + n), item.day,
                item.total - fee_of(item.total, terms.fee_percent), payer_inn=DEMO_AGENT,
                payer="ООО «Платёжный агент»", payee_account=own,
                purpose=f"Перечисление по реестру № {item.number} от {v.format_date(item.day)}"
                        " за вычетом вознаграждения 1,5 %. Без НДС"))  # fmt: skip
    path = root / "Выписка_банка.txt"
    path.write_bytes(render(Statement(version="1.03", encoding="cp1251", accounts=(own,),
                                      documents=tuple(docs))).encode("cp1251"))  # fmt: skip
    r = import_statement(app.db, path)
    matches = matches_by_file(app.db, terms)
    out["bank"] = {**r.to_json(), "matches": {f: m.status for f, m in matches.items()}}
    say(f"Выписка банка {path.name}: поступлений {r.incoming}; сверка: " + (", ".join(
        f"{f} — {m.status_text}" for f, m in matches.items()) or "реестров оплат нет"))  # fmt: skip
    return s


WINDOW_OPENS = ("Открывается окно программы, значок «Мои счета» — в области уведомлений "
                "(щелчок по нему или «Обмен» в окне — сеанс обмена). Эмулятор работает, пока "
                "открыта программа (выход — «Выход» в окне или в меню значка).")  # fmt: skip


def post_hint(root: Path, document: str, window: bool) -> str:
    """Where to post a readings document after review: in the window the demo opens next
    (the tab «Данные»), or, when it ends without one, with the command."""
    if window:
        return ("просмотрите его отчёт и проведите в окне программы: вкладка «Данные», "
                "«Показания к проведению», «Провести»")  # fmt: skip
    return f"просмотрите его отчёт и выполните «{command(root)} post {document}»"


def command(root: Path) -> str:
    """The program's command as it can be typed here, for the demo's home."""
    from trayapp.console import typed_command

    return typed_command(str(root))


def _demo_backup(app: App, say: Any) -> str | None:
    """The automatic backup backup.md asks for after sessions that received files and after
    acceptances: the commands make one each time, the demo's cycle once at its end."""
    from trayapp.core.backup_auto import auto_backup

    r = auto_backup(app.db, app.paths, app.settings, "the demo's cycle")
    if r.error:
        say(f"  ! {r.error}")
        return None
    if r.info is None:
        return None
    say(f"Резервная копия: {r.info.file}")
    return str(r.info.file)


def run_demo(
    home: str | None, accounts: int, as_json: bool, tray: bool = True
) -> dict[str, Any]:
    from trayapp.core import exchange
    from trayapp.core.accept import accept, list_pending
    from trayapp.core.demo import build_demo
    from trayapp.core.registries import generate
    from trayapp.core.transport import HttpTransport
    from trayapp.emulator.server import Emulator

    if accounts < 20:
        raise AppError("в демонстрации не меньше 20 лицевых счетов (--accounts 20)")
    root = demo_home(home)
    _prepare(root)
    app = App.create(root)
    setup_logging(app.paths, app.settings.verbose)
    out: dict[str, Any] = {"home": str(root)}
    steps: list[str] = []

    def say(text: str) -> None:
        steps.append(text)
        if not as_json:
            console.out(text)

    today = date.today()
    info = build_demo(app.db, accounts=accounts, seed=1, today=today)
    say(f"Демо-ТСЖ {_quoted(info.name)}, ИНН {info.inn}: {info.accounts} лицевых счетов, "
        f"{info.services} услуг, {info.providers} поставщика, "
        f"начисления {v.format_month(info.first_period)}–{v.format_month(info.billing_period)}")

    emulator = Emulator(root / "emulator", port=0, login=DEMO_LOGIN, password=DEMO_PASSWORD,
                        org=info.inn, seed=1)  # fmt: skip
    emulator.start()
    try:
        s = app.settings
        for key, value in (("coding", DEMO_CODING), ("server_url", emulator.url),
                           ("login", DEMO_LOGIN)):  # fmt: skip
            s = st.set_value(s, key, value)
        app.save_settings(s)
        say(f"Эмулятор «Мои счета»: {emulator.url} (логин {DEMO_LOGIN}, пароль {DEMO_PASSWORD})")
        say(f"Каталог обмена: {app.tree.root}")

        generated = []
        for kind in ("services", "debts", "meters"):
            r = generate(app.db, app.tree, kind, s.coding, today)
            generated.append(r.to_json())
            extra = f", сумма {v.format_money(r.total)}" if r.total is not None else ""
            say(f"Сформирован {r.file.name}: строк {r.rows}{extra}")
            if r.skipped_services:
                say(f"  услуги без кода «Город» не попали в файл: {'; '.join(r.skipped_services)}")
        out["generated"] = generated

        sessions = []

        def session(title: str) -> None:
            with HttpTransport(s.server_url, s.login, DEMO_PASSWORD) as transport:
                r = exchange.run_session(transport, app.db, app.tree, info.inn, s.coding,
                                         datetime.now)  # fmt: skip
            sessions.append(r.to_json())
            say(f"{title}: отправлено {r.sent}, принято {r.received} (ответов OK "
                f"{r.answers_ok}, с ошибками {r.answers_error}), реестров с ошибками "
                f"{r.broken}, ждут приёма {r.pending}")
            for e in r.errors:
                say(f"  ! {e}")
            for n in r.notices:
                say(f"  {n}")

        session("Сеанс обмена 1")
        session("Сеанс обмена 2")

        s = _demo_bank(app, s, root, say, out)
        window = tray and not as_json and can_show_tray()  # the demo goes on in the window
        accepted = []
        for item in list_pending(app.db, app.tree):
            a = accept(app.db, app.tree, item.file, info.inn, s.coding, app.paths.reports_dir,
                       bank=s.bank_terms())
            accepted.append({"file": a.file, "kind": a.kind, "document": a.document,
                             "rows": a.rows, "sum": v.format_amount(a.total),
                             "confirmation": str(a.confirmation),
                             "report": str(a.report) if a.report else None})  # fmt: skip
            what = "платежей" if a.kind == "PAYMENTS" else "показаний"
            say(f"Принят {a.file}: документ № {a.document}, {what} {a.rows}"
                + (f", сумма {v.format_money(a.total)}" if a.kind == "PAYMENTS" else ""))
            if a.report:
                say(f"  отчёт: {a.report}")
            if a.kind == "READINGS":
                say(f"  документ «Показания новые» № {a.document} не проведён: "
                    + post_hint(root, a.document, window))  # fmt: skip
        out["accepted"] = accepted
        session("Сеанс обмена 3 (подтверждения)")
        out["sessions"] = sessions
        out["status"] = exchange.status(app.db, app.tree)
        out["backup"] = _demo_backup(app, say)
        if tray and not as_json and not window:
            say("Окно и значок не показаны: нет графического экрана (не задана переменная "
                "DISPLAY или WAYLAND_DISPLAY). Запустите демонстрацию на рабочем столе, "
                "чтобы увидеть окно; данные ниже остаются.")  # fmt: skip
        if window:
            from trayapp.ui.tray import run_tray

            app.close()
            say(WINDOW_OPENS)
            run_tray(str(root), password=DEMO_PASSWORD)
    finally:
        emulator.stop()
        app.close()
    say(f"Готово. Все данные демонстрации: {root}")
    say(f"Команды для этих данных: {command(root)} status | pending | export payments")
    out["steps"] = steps
    if as_json:
        console.out_json(out)
    return out
