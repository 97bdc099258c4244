"""The demo association's model: who lives where, what is billed and paid, which meters
count what, made up from ``(accounts, seed, today)`` alone.

``Association`` gives the catalogue (the association, its providers and services) and, one
account at a time, that account's rows of every table, as a table file would hold them:
amounts with a decimal comma, dates as ДД.ММ.ГГГГ. ``demo_rows`` collects them all per kind.
Split from ``demo`` (which loads them through the importer, or writes them as CSV files);
imports nothing of the app but ``values``: no SQL, no I/O.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from trayapp.core import values as v

SETTLEMENT = "г. Новосибирск"
STREETS = (
    "ул. Титова", "ул. Ленина", "Красный проспект", "ул. Кирова", "ул. Гоголя",
    "ул. Советская", "ул. Фрунзе", "ул. Мичурина", "ул. Писарева", "ул. Дуси Ковальчук",
    "ул. Станиславского", "ул. Немировича-Данченко", "ул. Выборная", "ул. Ватутина",
)
ORG_NAMES = ("ТСЖ «Берёзка»", "ТСЖ «Титова 12»", "ТСЖ «Садовый квартал»", "ТСЖ «Заря»")
BIK = "045004641"
HOUSE_SIZE = 100

# (code, name, unit, gorod_code, sber_code, provider index, metered, tariff kopecks, basis)
SERVICES: tuple[tuple[int, str, str, str, str, int, int, int, str], ...] = (
    (1, "Содержание жилья", "м2", "101", "11", 0, 0, 3240, "area"),
    (2, "Отопление", "м2", "102", "12", 1, 0, 4175, "area"),
    (3, "Холодная вода", "м3", "103", "13", 2, 1, 4889, "cold"),
    (4, "Горячая вода", "м3", "104", "", 1, 1, 24510, "hot"),
    (5, "Водоотведение", "м3", "105", "13", 2, 0, 3931, "drain"),
    (6, "Электроэнергия", "кВт·ч", "", "16", 0, 1, 643, "power"),
    (7, "Вывоз ТКО", "чел.", "107", "17", 0, 0, 12050, "people"),
    (8, "Домофон", "кв.", "108", "", 0, 0, 6500, "flat"),
)
# the meter kinds: service basis -> (serial prefix, initial range, monthly use per resident)
METERED = {"cold": ("ХВ", 150_000, 3_600), "hot": ("ГВ", 90_000, 2_400),
           "power": ("Э", 30_000_000, 70_000)}

MALE = (
    ("Иванов", "Иван"), ("Смирнов", "Алексей"), ("Кузнецов", "Дмитрий"), ("Попов", "Сергей"),
    ("Васильев", "Андрей"), ("Петров", "Михаил"), ("Соколов", "Николай"),
    ("Михайлов", "Евгений"), ("Новиков", "Владимир"), ("Фёдоров", "Павел"),
    ("Морозов", "Артём"), ("Волков", "Константин"), ("Алексеев", "Юрий"),
    ("Лебедев", "Олег"), ("Семёнов", "Виктор"), ("Егоров", "Роман"), ("Павлов", "Игорь"),
    ("Козлов", "Максим"), ("Степанов", "Григорий"), ("Николаев", "Антон"),
)
FEMALE_NAMES = ("Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Светлана", "Ирина",
                "Анна", "Галина", "Людмила", "Екатерина", "Юлия", "Валентина", "Нина")
FATHERS = (("Петрович", "Петровна"), ("Иванович", "Ивановна"), ("Сергеевич", "Сергеевна"),
           ("Александрович", "Александровна"), ("Николаевич", "Николаевна"),
           ("Викторович", "Викторовна"), ("Михайлович", "Михайловна"),
           ("Владимирович", "Владимировна"), ("Юрьевич", "Юрьевна"),
           ("Андреевич", "Андреевна"), ("Геннадьевич", "Геннадьевна"))
PREMISES = ((45, "нежилое", "Н1"), (46, "кладовая", "К1"), (47, "кладовая", "К2"),
            (48, "машиноместо", "ММ1"), (49, "машиноместо", "ММ2"))
ORDER = ("org", "providers", "services", "accounts", "balances", "accruals", "payments",
         "meters", "readings")


def _inn10(rng: random.Random, region: str = "54") -> str:
    """A legal entity's ИНН with a valid check digit."""
    digits = [int(c) for c in region + "0" + f"{rng.randrange(10**6):06d}"]
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    digits.append(sum(w * d for w, d in zip(weights, digits, strict=True)) % 11 % 10)
    return "".join(map(str, digits))


def _money(kopecks: int) -> str:
    """An amount as Excel writes it in a Russian locale: decimal comma."""
    if kopecks < 0:
        return "-" + _money(-kopecks)
    return f"{kopecks // 100},{kopecks % 100:02d}"


def _reading(thousandths: int) -> str:
    whole, frac = divmod(thousandths, 1000)
    return f"{whole},{frac:03d}" if frac else str(whole)


def _date(d: date) -> str:
    return v.format_date(d)


def _round_div(a: int, b: int) -> int:
    return (a + b // 2) // b


# what one account's generation gives: "accounts" rows as lists of fields, every other kind
# as ready ``;``-joined lines (numbers, dates and plain words: nothing to quote)
Rows = dict[str, list[Any]]


class Association:
    def __init__(self, accounts: int, seed: int, services: int, months: int, today: date):
        self.count = accounts
        self.seed = seed
        self.today = today
        rng = random.Random(seed)
        self.inn = _inn10(rng)
        self.org_name = ORG_NAMES[seed % len(ORG_NAMES)]
        self.providers = [
            (self.inn, self.org_name, f"40703810{rng.randrange(10**12):012d}", BIK),
            (_inn10(rng), "АО «СИБЭКО»", f"40702810{rng.randrange(10**12):012d}", BIK),
            (_inn10(rng), 'МУП г. Новосибирска "ГОРВОДОКАНАЛ"',
             f"40702810{rng.randrange(10**12):012d}", BIK),
        ]
        self.services = SERVICES[: max(1, min(services, len(SERVICES)))]
        billing = v.month_of(today.replace(day=1) - timedelta(days=1))
        periods = [billing]
        while len(periods) < months:
            p = periods[-1]
            periods.append(p - 1 if p % 100 > 1 else (p // 100 - 1) * 100 + 12)
        self.periods = periods[::-1]
        self.months = months
        self.month_text = [v.format_month(p) for p in self.periods]
        # days 1..28 of each month, and of the month after the billing month
        self.days: list[list[date]] = []
        for p in [*self.periods, v.next_month(self.periods[-1])]:
            first = v.month_first_day(p)
            self.days.append([first.replace(day=d) for d in range(1, 29)])
        self.day_text = [[_date(d) for d in month] for month in self.days]
        self.block = min(HOUSE_SIZE, accounts)
        self.closed_index = 7  # of every thousand
        self.new_index = 13
        self.replaced_index = 3  # of every 500
        self.closed_month = max(0, months - 4)

    def number(self, i: int) -> str:
        return str(8030001 + i)

    def meter_id(self, i: int, k: int) -> str:
        return str(100001 + 4 * i + k)

    # ------------------------------------------------------------------ small tables
    def catalogue(self) -> dict[str, list[list[str]]]:
        org = [[self.inn, self.org_name, "540101001", self.providers[0][2], BIK,
                f"630099, {SETTLEMENT}, ул. Титова, д. 12"]]
        providers = [list(p) for p in self.providers]
        services = [
            [str(code), name, unit, gorod, sber, self.providers[prov][0], str(metered)]
            for code, name, unit, gorod, sber, prov, metered, _t, _b in self.services
        ]
        return {"org": org, "providers": providers, "services": services}

    # ------------------------------------------------------------------ one account
    def account(self, i: int) -> Rows:
        """Every row of one account: the account, balances, accruals, payments, meters..."""
        rng = random.Random(self.seed * 1_000_003 + i)
        rnd = rng.random
        number = self.number(i)
        house, pos = divmod(i, self.block)
        street = STREETS[house % len(STREETS)]
        house_no = str(12 + 2 * (house // len(STREETS)))
        kind, premise = "квартира", str(pos + 1)
        if self.block >= 20 and pos >= self.block - 5:
            _, kind, premise = PREMISES[pos - (self.block - 5)]
        apartment = kind == "квартира"
        surname, first = MALE[int(rnd() * len(MALE))]
        father = FATHERS[int(rnd() * len(FATHERS))]
        if rnd() < 0.5:
            full_name = f"{surname} {first} {father[0]}"
        else:
            full_name = f"{surname}а {FEMALE_NAMES[int(rnd() * len(FEMALE_NAMES))]} {father[1]}"
        if kind == "нежилое":
            full_name = "ООО «" + ("Аптека", "Продукты", "Стоматология")[i % 3] + "»"
        area10 = {"квартира": 280 + int(rnd() * 700), "нежилое": 500 + int(rnd() * 1300),
                  "кладовая": 30 + int(rnd() * 50), "машиноместо": 132 + int(rnd() * 50)}[kind]
        residents = 1 + int(rnd() * 4) if apartment else 0
        months = self.months
        first_m, last_m = 0, months - 1
        opened = date(2008 + int(rnd() * 12), 1 + int(rnd() * 12), 1 + int(rnd() * 28))
        closed: date | None = None
        role = i % 1000
        if role == self.closed_index and apartment:
            last_m = self.closed_month
            closed = v.month_last_day(self.periods[last_m])
        elif role == self.new_index and apartment:
            first_m = months - 1
            opened = self.days[first_m][9]
        out: Rows = {
            "accounts": [[number, full_name, SETTLEMENT, street, house_no, premise, kind,
                          f"{area10 // 10},{area10 % 10}", _date(opened),
                          _date(closed) if closed else ""]],
            "balances": [], "accruals": [], "payments": [], "meters": [], "readings": [],
        }
        use: dict[str, list[int]] = {}
        if apartment:
            self._meters(i, rng, out, residents, first_m, last_m, opened, closed, use)

        # accruals, per service a month-by-month list of kopecks
        zero = [0] * months
        bills: dict[int, list[int]] = {}
        accruals = out["accruals"]
        month_text = self.month_text
        for code, _n, _u, _g, _s, _p, _mt, tariff, basis in self.services:
            if not (apartment or basis == "area" and (code == 1 or kind == "нежилое")):
                continue
            if basis in ("cold", "hot", "power"):
                per_month = [_round_div(q * tariff, 1000) for q in use.get(basis, zero)]
            elif basis == "drain":
                cold, hot = use.get("cold", zero), use.get("hot", zero)
                per_month = [_round_div((c + h) * tariff, 1000) for c, h in zip(cold, hot, strict=True)]
            else:
                k = {"area": _round_div(area10 * tariff, 10), "people": residents * tariff}.get(
                    basis, tariff)
                per_month = [k] * months
            bills[code] = per_month
            head = f"{number};{code};"
            if basis in ("area", "people", "flat"):
                money = _money(per_month[0])
                accruals.extend(f"{head}{month_text[m]};{money}"
                                for m in range(first_m, last_m + 1))
            else:
                accruals.extend(f"{head}{month_text[m]};{_money(per_month[m])}"
                                for m in range(first_m, last_m + 1))

        # opening balances: last month's bill, unpaid at the start; debtors owe more
        habit = rnd()
        if closed is not None:
            habit = 0.5  # the closed account settled its bills
        opening: dict[int, int] = {}
        if first_m == 0:
            times = 1 if habit < 0.85 else 2 + int(rnd() * 5)
            for code, per_month in bills.items():
                debt = per_month[0] * times
                if habit > 0.97 and code == 1:
                    debt = -3 * per_month[0]  # paid in advance
                if debt:
                    opening[code] = debt
                    out["balances"].append(f"{number};{code};{_money(debt)}")

        self._payments(i, rnd, out, habit, bills, opening, first_m, last_m)
        return out

    def _meters(
        self, i: int, rng: random.Random, out: Rows, residents: int, first_m: int,
        last_m: int, opened: date, closed: date | None, use: dict[str, list[int]],
    ) -> None:
        """Water and electricity meters, read on the 25th; one in 500 replaced."""
        rnd = rng.random
        number = self.number(i)
        months = self.months
        removed = _date(closed) if closed else ""
        meters, readings = out["meters"], out["readings"]
        for code, _n, _u, _g, _s, _p, metered, _t, basis in self.services:
            if not metered or basis not in METERED:
                continue
            k = ("cold", "hot", "power").index(basis)
            prefix, initial_max, per_person = METERED[basis]
            monthly = [0] * months
            for m in range(first_m, last_m + 1):
                q = int(per_person * residents * (0.6 + 0.8 * rnd()))
                monthly[m] = q if basis != "power" else q // 1000 * 1000
            use[basis] = monthly
            installed = (opened if first_m > 0 else
                         date(2019 + int(rnd() * 4), 1 + int(rnd() * 12), 1 + int(rnd() * 28)))
            value = int(rnd() * initial_max)
            if basis == "power":
                value = value // 1000 * 1000
            mid = self.meter_id(i, k)
            serial = f"{prefix}-{int(rnd() * 10**8):08d}"
            replace_m = -1
            if i % 500 == self.replaced_index and k == 0 and first_m == 0 and months >= 3:
                replace_m = months - 3
            head = f"{mid};{number};{code};{serial};{_date(installed)};{_reading(value)};"
            for m in range(first_m, last_m + 1):
                if m == replace_m:
                    swap = self.days[m][14]
                    half = monthly[m] // 2
                    value += half
                    readings.append(f"{mid};{self.day_text[m][14]};{_reading(value)}")
                    meters.append(head + _date(swap))
                    mid = self.meter_id(i, 3)
                    value = 1_250  # the new meter starts small
                    head = (f"{mid};{number};{code};{prefix}-{int(rnd() * 10**8):08d};"
                            f"{_date(swap)};{_reading(value)};")
                    installed = swap
                    value += monthly[m] - half
                else:
                    value += monthly[m]
                taken = self.days[m][24]
                if (closed is not None and taken > closed) or taken < installed:
                    continue
                if taken >= self.today:
                    continue
                readings.append(f"{mid};{self.day_text[m][24]};{_reading(value)}")
            meters.append(head + removed)

    def _payments(
        self, i: int, rnd: Callable[[], float], out: Rows, habit: float,
        bills: dict[int, list[int]], opening: dict[int, int], first_m: int, last_m: int,
    ) -> None:
        """Each month the owner pays last month's bill (the first month: the opening debt)."""
        number = self.number(i)
        channel = rnd() if habit < 0.97 else 0.5
        months = self.months
        payments = out["payments"]
        for m in range(first_m, min(last_m + 1, months) + 1):
            if m == 0:
                bill = opening
            elif m == first_m:
                continue  # a new account pays nothing before its first bill
            else:
                bill = {code: per_month[m - 1] for code, per_month in bills.items()}
            d = 2 + int(rnd() * 22)
            day = self.days[m][d]
            if day >= self.today:
                continue
            share = 1.0
            if habit >= 0.85:  # debtors: now and then, half
                if rnd() < 0.7:
                    continue
                share = 0.5
            elif habit >= 0.75 and rnd() < 0.3:
                share = 0.6 + 0.3 * rnd()
            paid = [(c, int(k * share)) for c, k in bill.items() if k > 0]
            paid = [(c, k) for c, k in paid if k > 0]
            if not paid:
                continue
            when = self.day_text[m][d]
            ref = f"{day.year}{day.month:02d}{day.day:02d}{i:07d}"
            if channel < 0.45 or (channel >= 0.9 and m % 2):  # Сбербанк, by services
                payments.extend(f"{number};{c};{when};{_money(k)};Сбербанк;{ref}{c:02d}"
                                for c, k in paid)
            elif channel < 0.75:  # «Город», one payment to the whole account
                total = sum(k for _, k in paid)
                payments.append(f"{number};;{when};{_money(total)};Город;G{ref}")
            else:  # the cash desk: to the whole account, no reference
                total = sum(k for _, k in paid)
                payments.append(f"{number};;{when};{_money(total)};касса;")


def rows_of(gen: Association) -> dict[str, list[list[str]]]:
    per_kind: dict[str, list[list[str]]] = {kind: [] for kind in ORDER}
    for kind, rows in gen.catalogue().items():
        per_kind[kind].extend(rows)
    for i in range(gen.count):
        for kind, lines in gen.account(i).items():
            if kind == "accounts":
                per_kind[kind].extend(lines)
            else:
                per_kind[kind].extend(line.split(";") for line in lines)
    return per_kind


def demo_rows(accounts: int, seed: int, today: date) -> dict[str, list[list[str]]]:
    """Every row of a demo association per kind, as a table file would hold them."""
    return rows_of(Association(accounts, seed, len(SERVICES), 12, today))
