"""Dates in the forms press releases use, and where a document states its date.

Every date is kept as written, in the document's own time zone: `2021-03-01 23:30-05:00`
is 1 March, whatever UTC says, because that is the day the release carries.
A parsed date has a granularity: `day`, `month` (a `/2025/07/` URL) or `monthday`
(a dateline "MEXICO CITY, June 8" with no year), and comparisons respect it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    # English, full and abbreviated (AP style "Sept.")
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
    # Spanish (official Spanish versions, Mexican sources)
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
}
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH = rf"(?P<month>{_MONTH_NAMES})\.?"
_ANY_MONTH = rf"(?i:{_MONTH_NAMES})\.?"

# 2021-03-01, 2021-3-1, 2021/03/01, optionally with a time and an offset.
ISO = re.compile(
    r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})"
    r"(?:[T ](?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?\s*$",
    re.IGNORECASE,
)
ISO_MONTH = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})$")
# "October 6, 2023", "Oct. 6, 2023", "June 8" (no year)
MONTH_FIRST = re.compile(rf"^{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{{4}}))?\b", re.IGNORECASE)
# "6 October 2023", "8 de junio de 2021"
DAY_FIRST = re.compile(
    rf"^(?P<d>\d{{1,2}})\s+(?:de\s+)?{_MONTH}(?:,?\s+(?:de(?:l)?\s+)?(?P<y>\d{{4}}))?\b", re.IGNORECASE
)
# US numeric "6/8/2021" or "06/08/21" (two-digit year means 20YY)
US_NUMERIC = re.compile(r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})$")


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date as stated: year may be None (`monthday`), day may be None (`month`)."""

    year: int | None
    month: int
    day: int | None
    offset: str | None = None  # "-05:00" when a time zone was given

    @property
    def granularity(self) -> str:
        return "monthday" if self.year is None else "month" if self.day is None else "day"

    def as_date(self) -> dt.date | None:
        """The calendar date when year, month and day are all known."""
        if self.year is None or self.day is None:
            return None
        return dt.date(self.year, self.month, self.day)

    def isoformat(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


class DateProblem(ValueError):
    """A text that looks like a date but is not a real one (or not a date at all)."""


def _check(year: int | None, month: int, day: int | None, text: str) -> None:
    if not 1 <= month <= 12:
        raise DateProblem(f"there is no month {month} (months run 1-12)")
    if day is not None:
        try:
            dt.date(year if year is not None else 2000, month, day)  # 2000 is a leap year: Feb 29 allowed
        except ValueError:
            raise DateProblem(
                f"it does not exist: {dt.date(2000, month, 1):%B} has no day {day}" + (f" in {year}" if year else "")
            ) from None


def parse_date(text: str) -> DateValue:
    """Parse a stated date; raise `DateProblem` when it cannot be parsed or does not exist.

    Accepts ISO dates and timestamps (`2021-03-01 18:59:26-05:00`, kept in their own
    zone), `YYYY-MM`, spelled-out or abbreviated months in either order (English or
    Spanish), and US numeric dates with four- or two-digit years.
    """
    raw = " ".join(str(text).replace("\u00a0", " ").split())
    s = raw.strip("'\"")
    m = ISO.match(s)
    if m:
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
        _check(y, mo, d, raw)
        if m["time"]:
            h, mi = (int(p) for p in m["time"].split(":")[:2])
            if h > 23 or mi > 59:
                raise DateProblem(f"it has an impossible time of day {m['time']}")
        tz = m["tz"]
        if tz and tz.upper() != "Z":
            tz = tz if ":" in tz else tz[:3] + ":" + tz[3:]
            if int(tz[1:3]) > 14 or int(tz[4:6]) > 59:
                raise DateProblem(f"it has an impossible UTC offset {tz}")
        return DateValue(y, mo, d, "+00:00" if tz and tz.upper() == "Z" else tz)
    m = ISO_MONTH.match(s)
    if m:
        _check(int(m["y"]), int(m["m"]), None, raw)
        return DateValue(int(m["y"]), int(m["m"]), None)
    for pattern in (MONTH_FIRST, DAY_FIRST):
        m = pattern.match(s)
        if m:
            y = int(m["y"]) if m["y"] else None
            mo, d = MONTHS[m["month"].lower()], int(m["d"])
            _check(y, mo, d, raw)
            return DateValue(y, mo, d)
    m = US_NUMERIC.match(s)
    if m:
        y = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
        mo, d = int(m["m"]), int(m["d"])
        _check(y, mo, d, raw)
        return DateValue(y, mo, d)
    raise DateProblem("it is not a date this tool can read (write YYYY-MM-DD)")


# A dateline opens a news body: "WASHINGTON, Oct. 6, 2023 —", "MEXICO CITY, June 8 (AP) -",
# "CIUDAD DE MÉXICO, 8 de junio de 2021.-". The place is in capitals; the date follows it.
_PLACE = r"[A-ZÁÉÍÓÚÑÜ][A-ZÁÉÍÓÚÑÜ.'’ -]{1,40}(?:,\s*[A-Z][A-Za-z.]{1,12})?"
DATELINE = re.compile(
    rf"^[*_\s]*(?P<place>{_PLACE}),\s+(?P<date>(?:{_ANY_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+(?:de\s+)?{_ANY_MONTH}(?:,?\s+(?:de(?:l)?\s+)?\d{{4}})?))"
    r"(?=[*_]*\s*(?:\(|[—–-]|\.-|\.|,|:|$))"
)


# The same dateline after junk glued before it on its line ("HomeNewsWASHINGTON, Oct. 6,
# 2023 —", "72°F Clear WASHINGTON, ..."): the place starts a run of capitals and the date
# must be followed by a dash or "(AP)", which a sentence mentioning a place and a date is not.
DATELINE_AFTER_JUNK = re.compile(
    rf"(?<![A-ZÁÉÍÓÚÑÜ.'’-])(?P<place>{_PLACE}),\s+(?P<date>(?:{_ANY_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}\s+(?:de\s+)?{_ANY_MONTH}(?:,?\s+(?:de(?:l)?\s+)?\d{{4}})?))"
    r"(?=[*_]*\s*(?:\(|[—–-]|\.-))"
)


def find_dateline(line: str, after_junk: bool = False) -> tuple[str, int, int] | None:
    """`(date text, start, end)` of a dateline at the start of `line` (or, with
    `after_junk`, after page junk glued before it), or None."""
    m = DATELINE.match(line) or (DATELINE_AFTER_JUNK.search(line) if after_junk else None)
    if not m:
        return None
    return m["date"], m.start("date"), m.end("date")


# A full date inside running text: "October 6, 2023", "Oct. 6th, 2023", "6 October 2023",
# "8 de junio de 2021", "2023-10-06".
FULL_DATE_IN_TEXT = re.compile(
    rf"\b(?:{_ANY_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
    rf"|\d{{1,2}}\s+(?:de\s+)?{_ANY_MONTH},?\s+(?:de(?:l)?\s+)?(?:19|20)\d{{2}}"
    r"|(?:19|20)\d{2}-\d{2}-\d{2})\b"
)


_YEAR = re.compile(r"(?:19|20)\d\d")


def full_dates(text: str) -> list[tuple[DateValue, int, int]]:
    """Every full, existing date in `text`: `(value, start, end)`."""
    found = []
    if not _YEAR.search(text):
        return found  # most lines: no year, no full date (and no scan of a long line)
    for m in FULL_DATE_IN_TEXT.finditer(text):
        try:
            value = parse_date(m.group(0))
        except DateProblem:
            continue
        if value.as_date() is not None:
            found.append((value, m.start(), m.end()))
    return found


# /2023/11/17/ (day) or /2025/07/ (month) in a URL path.
URL_DAY = re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>\d{2})/(?P<d>\d{2})(?:/|$)")
URL_MONTH = re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>\d{2})(?:/|$)")


def url_date(path: str) -> tuple[str, DateValue | None]:
    """The date in a URL path: `(matched text, value)`; raises DateProblem for /2022/02/30/."""
    m = URL_DAY.search(path)
    if m:
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
        _check(y, mo, d, m.group(0))
        return m.group(0), DateValue(y, mo, d)
    m = URL_MONTH.search(path)
    if m and 1 <= int(m["m"]) <= 12:
        return m.group(0), DateValue(int(m["y"]), int(m["m"]), None)
    return "", None


def distance_days(a: DateValue, b: DateValue) -> int | None:
    """Days between two stated dates at the coarser granularity of the two (0 when they overlap).

    A month-only date is the whole month; a date with no year takes the year (of the
    other one, or the one before or after) that brings it closest. None when neither
    has a full date to anchor the comparison.
    """
    full_a, full_b = a.as_date(), b.as_date()
    if full_a is None and full_b is None:
        if a.year and b.year:  # two months
            return _month_gap(a, b)
        return None
    if full_a is None:
        a, b, full_a, full_b = b, a, full_b, full_a
    # a is a full date here
    if b.granularity == "month":
        first = dt.date(b.year, b.month, 1)
        last = dt.date(b.year + (b.month == 12), b.month % 12 + 1, 1) - dt.timedelta(days=1)
        if first <= full_a <= last:
            return 0
        return min(abs((full_a - first).days), abs((full_a - last).days))
    if b.granularity == "monthday":
        best = None
        for year in (full_a.year - 1, full_a.year, full_a.year + 1):
            try:
                gap = abs((full_a - dt.date(year, b.month, b.day)).days)
            except ValueError:  # Feb 29 in a common year
                continue
            best = gap if best is None else min(best, gap)
        return best
    return abs((full_a - full_b).days)


def _month_gap(a: DateValue, b: DateValue) -> int:
    """Days between two whole months (0 when the same month)."""
    if (a.year, a.month) == (b.year, b.month):
        return 0
    if (a.year, a.month) > (b.year, b.month):
        a, b = b, a
    a_last = dt.date(a.year + (a.month == 12), a.month % 12 + 1, 1) - dt.timedelta(days=1)
    return (dt.date(b.year, b.month, 1) - a_last).days
