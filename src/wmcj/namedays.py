"""Built-in named days (festivals, memorial days) resolved to dates for a given year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple

MIN_YEAR = 1901
MAX_YEAR = 2099


@dataclass(frozen=True, slots=True)
class NamedDay:
    """A day (or span) that tasks can hang on: a festival, a memorial day, a week."""

    key: str
    name: str
    date: date
    until: date | None = None

    @property
    def last(self) -> date:
        """Last day covered: `until` for a span, otherwise `date`."""
        return self.until if self.until is not None else self.date


class _Spec(NamedTuple):
    kind: Literal["fixed", "lunar", "term"]
    month: int = 0
    day: int = 0
    term: str = ""


def _fixed(month: int, day: int) -> _Spec:
    return _Spec("fixed", month, day)


def _lunar(month: int, day: int) -> _Spec:
    """Regular (non-leap) lunar month/day of the lunar year beginning in the Gregorian year."""
    return _Spec("lunar", month, day)


def _term(name: str) -> _Spec:
    return _Spec("term", term=name)


class _Rule(NamedTuple):
    key: str
    name: str
    name_en: str
    spec: _Spec


_RULES: tuple[_Rule, ...] = (
    _Rule("new-year", "元旦", "New Year's Day", _fixed(1, 1)),
    _Rule("spring-festival", "春节", "Spring Festival", _lunar(1, 1)),
    _Rule("lantern", "元宵节", "Lantern Festival", _lunar(1, 15)),
    _Rule("lei-feng-day", "学雷锋纪念日", "Learn from Lei Feng Day", _fixed(3, 5)),
    _Rule("womens-day", "妇女节", "International Women's Day", _fixed(3, 8)),
    _Rule("arbor-day", "植树节", "Arbor Day", _fixed(3, 12)),
    _Rule("qingming", "清明节", "Qingming Festival", _term("清明")),
    _Rule(
        "national-security-day",
        "全民国家安全教育日",
        "National Security Education Day",
        _fixed(4, 15),
    ),
    _Rule("ip-day", "世界知识产权日", "World Intellectual Property Day", _fixed(4, 26)),
    _Rule("labour-day", "劳动节", "Labour Day", _fixed(5, 1)),
    _Rule("youth-day", "青年节", "Youth Day", _fixed(5, 4)),
    _Rule(
        "disaster-reduction-day",
        "防灾减灾日",
        "Disaster Prevention and Reduction Day",
        _fixed(5, 12),
    ),
    _Rule("dragon-boat", "端午节", "Dragon Boat Festival", _lunar(5, 5)),
    _Rule("childrens-day", "儿童节", "Children's Day", _fixed(6, 1)),
    _Rule("party-day", "建党节", "CPC Founding Day", _fixed(7, 1)),
    _Rule("army-day", "建军节", "Army Day", _fixed(8, 1)),
    _Rule("teachers-day", "教师节", "Teachers' Day", _fixed(9, 10)),
    _Rule("mid-autumn", "中秋节", "Mid-Autumn Festival", _lunar(8, 15)),
    _Rule("national-day", "国庆节", "National Day", _fixed(10, 1)),
    _Rule("double-ninth", "重阳节", "Double Ninth Festival", _lunar(9, 9)),
    _Rule("constitution-day", "国家宪法日", "National Constitution Day", _fixed(12, 4)),
    _Rule("volunteer-day", "国际志愿者日", "International Volunteer Day", _fixed(12, 5)),
)

BUILTIN_KEYS: tuple[str, ...] = tuple(r.key for r in _RULES)
BUILTIN_NAMES: dict[str, str] = {r.key: r.name for r in _RULES}
BUILTIN_NAMES_EN: dict[str, str] = {r.key: r.name_en for r in _RULES}


def builtin_days(year: int) -> dict[str, NamedDay]:
    """All built-in named days resolved for `year`, in BUILTIN_KEYS order."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is outside the supported range {MIN_YEAR}–{MAX_YEAR}")

    from lunar_python import Lunar, Solar  # deferred: keeps CLI start-up fast

    # The lunar year containing 04-01 is lunar year `year` (春节 is never later than
    # 02-20), and its jieqi table holds this Gregorian year's 清明.
    jieqi = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()

    days: dict[str, NamedDay] = {}
    for rule in _RULES:
        spec = rule.spec
        if spec.kind == "fixed":
            d = date(year, spec.month, spec.day)
        else:
            if spec.kind == "lunar":
                # A positive month is the regular (non-leap) month of lunar year `year`.
                s = Lunar.fromYmd(year, spec.month, spec.day).getSolar()
            else:
                s = jieqi[spec.term]
            d = date(s.getYear(), s.getMonth(), s.getDay())
        if d.year != year:  # never happens within MIN_YEAR..MAX_YEAR (checked by the tests)
            raise ValueError(f"{rule.key} resolved to {d.isoformat()}, outside {year}")
        days[rule.key] = NamedDay(key=rule.key, name=rule.name, date=d)
    return days
