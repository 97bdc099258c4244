"""The window's Russian texts built from the core's records: no Tk, no I/O (tested without X).

``month_title`` («Ноябрь 2026 г.»), ``summary_text`` (the question before accepting),
``waiting_text`` (registries waiting, notified), ``details_text`` (the header's second
line), ``pending_row`` (a row of the pending list), ``moment`` (a journal time as shown).
"""

from __future__ import annotations

from datetime import datetime

from trayapp.core import values as v
from trayapp.core.accept import PendingItem
from trayapp.core.summary import PendingSummary
from trayapp.ui.backend import Snapshot
from trayapp.ui.common import CODING_LABELS, KIND_NAMES, money, plural, rubles

MONTHS = ("Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август", "Сентябрь",
          "Октябрь", "Ноябрь", "Декабрь")  # fmt: skip
NOT_MADE = "Не сформирован: в Исходящих уже ждёт "
NO_ACCRUALS = "Нет начислений"
PASSWORD_IN_MEMORY = ("Надёжного хранилища паролей в системе нет, поэтому пароль хранится только "
                      "в памяти программы, до выхода из неё (в файл он не записывается). "
                      "После перезапуска программа спросит его снова.")  # fmt: skip
ASK_PASSWORD = ("Введите пароль «Мои счета». Надёжного хранилища паролей в системе нет: "
                "пароль будет храниться только в памяти, до выхода из программы.")  # fmt: skip
JOB_STEPS = {"exchange": "Обмен с «Мои счета»", "generate": "Формирование реестра",
             "accept": "Приём реестра", "summary": "Проверка реестра", "load": "Загрузка данных",
             "export": "Выгрузка", "refresh": "Обновление", "report": "Отчёт",
             "settings": "Сохранение настроек", "bank": "Загрузка выписки", "post": "Проведение",
             "preview": "Чтение таблиц", "check": "Проверка таблиц"}  # fmt: skip


def month_title(text: str) -> str:
    """``11.2026`` as the manual's button shows it: «Ноябрь 2026 г.»."""
    month = v.parse_month(text) if text else None
    if month is None:
        return text or "…"
    year, mon = divmod(month, 100)
    return f"{MONTHS[mon - 1]} {year} г."


def older_month_text(month: int, latest: int) -> str:
    """The question before a Debts registry for a month older than the latest accruals."""
    return (f"Выбран месяц {month_title(v.format_month(month))}, а начисления загружены и за "
            f"более поздний — {month_title(v.format_month(latest))}\n\nСформировать реестр "
            f"задолженности за {month_title(v.format_month(month))}? («Нет» — ничего не "
            "формировать)")  # fmt: skip


def summary_text(sm: PendingSummary, bank: str = "") -> str:
    """The confirmation before accepting: rows, total, per service and per provider, and
    what to check: ``bank`` (``bank_panel.accept_bank_text``: the transfer expected in the
    statement, or its match), else «сверьте с банком» with the registry's sum."""
    if sm.kind == "READINGS":
        return (f"Реестр показаний {sm.file}: показаний {sm.rows}.\n\nПринять его? Будет создан "
                "документ «Показания новые» (его нужно будет провести).")  # fmt: skip
    lines = [f"Реестр оплат {sm.file}", f"Платежей: {sm.rows}, на сумму {rubles(sm.total)}", "",
             f"По услугам ({CODING_LABELS.get(sm.coding, sm.coding)}):"]  # fmt: skip
    lines += _summary_lines(sm.by_service, "услуг")
    lines += ["", "По поставщикам:"]
    lines += _summary_lines(sm.by_provider, "поставщиков")
    lines += ["", (bank or f"Сверьте с банком: поступление {rubles(sm.total)} по этому реестру "
                         "должно быть в выписке.") + " Принять реестр?"]  # fmt: skip
    return "\n".join(lines)


def _summary_lines(parts: list[tuple[str, int, int]], what: str) -> list[str]:
    """«  102 Отопление: 3 платежа, 1 000,00 ₽», at most 12 lines and how many more."""
    out = [f"  {label}: {n} {plural(n, 'платёж', 'платежа', 'платежей')}, {rubles(total)}"
           for label, n, total in parts[:12]]  # fmt: skip
    if len(parts) > 12:
        rest = parts[12:]
        out.append(f"  … и ещё {what}: {len(rest)} на {rubles(sum(t for _, _, t in rest))}")
    return out


def waiting_text(pending: list[PendingItem]) -> str:
    """«Ждут приёма 2 реестра: оплаты 1 на сумму 1 234,56 ₽, показания 1» ('' for none)."""
    if not pending:
        return ""
    payments = [p for p in pending if p.kind == "PAYMENTS"]
    readings = len(pending) - len(payments)
    parts = []
    if payments:
        total = sum(p.total for p in payments)
        parts.append(f"оплаты {len(payments)} на сумму {rubles(total)}")
    if readings:
        parts.append(f"показания {readings}")
    n = len(pending)
    return f"Ждут приёма {n} {plural(n, 'реестр', 'реестра', 'реестров')}: " + ", ".join(parts)


def details_text(snap: Snapshot) -> str:
    """What waits: in Исходящие, to be accepted, readings documents to post."""
    parts = []
    if snap.outgoing:
        parts.append(f"в Исходящих ждут отправки: {', '.join(snap.outgoing[:3])}"
                     + (f" и ещё {len(snap.outgoing) - 3}" if len(snap.outgoing) > 3 else ""))  # fmt: skip
    if snap.pending:
        parts.append(f"ждут приёма: {len(snap.pending)}")
    if snap.unposted:
        numbers = ", ".join(f"№ {n}" for n, _, _ in snap.unposted[:3])
        parts.append(f"не проведены документы показаний {numbers} (реестр «Счётчики» их не "
                     "учтёт)")  # fmt: skip
    if not parts:
        return "Ничего не ждёт отправки и приёма."
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def pending_row(item: PendingItem) -> tuple[str, ...]:
    total = money(item.total) if item.kind == "PAYMENTS" else ""
    return (item.file, KIND_NAMES.get(item.kind, item.kind), v.format_date(item.day),
            item.number, str(item.rows), total, "")  # fmt: skip


def moment(at: str) -> str:
    """The journal's ``YYYY-MM-DD HH:MM:SS`` as ``DD.MM.YYYY HH:MM``."""
    try:
        return datetime.strptime(at[:19], "%Y-%m-%d %H:%M:%S").strftime("%d.%m.%Y %H:%M")
    except ValueError:
        return at
