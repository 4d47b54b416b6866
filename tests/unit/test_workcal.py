"""domain.workcal: working-hours arithmetic for approval SLAs."""
from __future__ import annotations

import random
import time as wall_clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.workcal import MAX_SEARCH_DAYS, WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600.0

# November 2026: Mon 23 .. Fri 27, Sat 28, Sun 29, Mon 30, Tue Dec 1.
OFFICE = WorkCalendar()
HOLIDAY_MONDAY = WorkCalendar(holidays=frozenset({date(2026, 11, 30)}))
MAKEUP_SATURDAY = WorkCalendar(workdays=frozenset({date(2026, 11, 28)}))
# Shaped like a Chinese golden week: Thu-Wed off, the Saturday before and
# the Saturday after worked instead (dates illustrative).
GOLDEN_WEEK = WorkCalendar(
    holidays=frozenset(date(2026, 10, 1) + timedelta(days=i) for i in range(7)),
    workdays=frozenset({date(2026, 9, 26), date(2026, 10, 10)}),
)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


# -- add_working ------------------------------------------------------------------

ADD_CASES = [
    # (id, calendar, start, working seconds, expected)
    ("fri 16:00 + 4h = mon 11:00", OFFICE, sh(2026, 11, 27, 16), 4 * HOUR, sh(2026, 11, 30, 11)),
    ("20:00 counts from 09:00 next day", OFFICE, sh(2026, 11, 23, 20), 1 * HOUR, sh(2026, 11, 24, 10)),
    ("before opening counts from 09:00", OFFICE, sh(2026, 11, 23, 7, 30), 30 * 60, sh(2026, 11, 23, 9, 30)),
    ("saturday counts from monday", OFFICE, sh(2026, 11, 28, 10), 2 * HOUR, sh(2026, 11, 30, 11)),
    ("zero outside hours = next opening", OFFICE, sh(2026, 11, 27, 19), 0, sh(2026, 11, 30, 9)),
    ("zero inside hours = now", OFFICE, sh(2026, 11, 23, 10, 15), 0, sh(2026, 11, 23, 10, 15)),
    ("running out at closing ends at closing", OFFICE, sh(2026, 11, 23, 17), 1 * HOUR, sh(2026, 11, 23, 18)),
    ("one second past closing", OFFICE, sh(2026, 11, 23, 17), HOUR + 1, sh(2026, 11, 24, 9, 0, 1)),
    ("from closing itself", OFFICE, sh(2026, 11, 23, 18), 1, sh(2026, 11, 24, 9, 0, 1)),
    ("a whole working week", OFFICE, sh(2026, 11, 23, 9), 45 * HOUR, sh(2026, 11, 27, 18)),
    ("fractional seconds", OFFICE, sh(2026, 11, 23, 9), 0.25, sh(2026, 11, 23, 9, 0, 0, 250000)),
    ("holiday is skipped", HOLIDAY_MONDAY, sh(2026, 11, 27, 16), 4 * HOUR, sh(2026, 12, 1, 11)),
    ("make-up saturday counts", MAKEUP_SATURDAY, sh(2026, 11, 27, 16), 4 * HOUR, sh(2026, 11, 28, 11)),
    ("golden week skipped", GOLDEN_WEEK, sh(2026, 9, 30, 17), 2 * HOUR, sh(2026, 10, 8, 10)),
    ("make-up saturday after golden week", GOLDEN_WEEK, sh(2026, 10, 9, 17), 2 * HOUR, sh(2026, 10, 10, 10)),
    ("make-up saturday before golden week", GOLDEN_WEEK, sh(2026, 9, 25, 17), 2 * HOUR, sh(2026, 9, 26, 10)),
]


@pytest.mark.parametrize("calendar, start, seconds, expected",
                         [case[1:] for case in ADD_CASES], ids=[case[0] for case in ADD_CASES])
def test_add_working(calendar, start, seconds, expected):
    result = calendar.add_working(start, seconds)
    assert result == expected
    assert result.tzinfo is start.tzinfo


def test_add_working_keeps_utc_inputs_in_utc():
    start = datetime(2026, 11, 27, 8, tzinfo=UTC)  # Fri 16:00 in Shanghai
    result = OFFICE.add_working(start, 4 * HOUR)
    assert result == datetime(2026, 11, 30, 3, tzinfo=UTC)
    assert result.tzinfo is UTC


def test_add_working_rejects_bad_amounts():
    for bad in (-1, float("nan"), float("inf"), "3600", True):
        with pytest.raises(ValueError, match="seconds"):
            OFFICE.add_working(sh(2026, 11, 23, 9), bad)


# -- working_seconds --------------------------------------------------------------

SECONDS_CASES = [
    ("fri 16:00 to mon 11:00", OFFICE, sh(2026, 11, 27, 16), sh(2026, 11, 30, 11), 4 * HOUR),
    ("20:00 to next 10:00", OFFICE, sh(2026, 11, 23, 20), sh(2026, 11, 24, 10), 1 * HOUR),
    ("within one day", OFFICE, sh(2026, 11, 23, 10), sh(2026, 11, 23, 12, 30), 2.5 * HOUR),
    ("weekend only", OFFICE, sh(2026, 11, 28, 0), sh(2026, 11, 30, 0), 0.0),
    ("end before start", OFFICE, sh(2026, 11, 24, 12), sh(2026, 11, 23, 12), 0.0),
    ("end equals start", OFFICE, sh(2026, 11, 24, 12), sh(2026, 11, 24, 12), 0.0),
    ("whole week", OFFICE, sh(2026, 11, 23), sh(2026, 11, 30), 45 * HOUR),
    ("whole week with a holiday", WorkCalendar(holidays=frozenset({date(2026, 11, 25)})),
     sh(2026, 11, 23), sh(2026, 11, 30), 36 * HOUR),
    ("whole week with a make-up saturday", MAKEUP_SATURDAY, sh(2026, 11, 23), sh(2026, 11, 30), 54 * HOUR),
    ("golden week fortnight", GOLDEN_WEEK, sh(2026, 9, 28), sh(2026, 10, 12), (3 + 2 + 1) * 9 * HOUR),
    ("mixed input zones", OFFICE, datetime(2026, 11, 23, 0, tzinfo=UTC), sh(2026, 11, 23, 12), 3 * HOUR),
    ("a year of weekdays", OFFICE, sh(2026, 1, 1), sh(2027, 1, 1), 261 * 9 * HOUR),
]


@pytest.mark.parametrize("calendar, start, end, expected",
                         [case[1:] for case in SECONDS_CASES], ids=[case[0] for case in SECONDS_CASES])
def test_working_seconds(calendar, start, end, expected):
    assert calendar.working_seconds(start, end) == pytest.approx(expected, abs=1e-6)


def test_naive_datetimes_are_rejected():
    naive = datetime(2026, 11, 23, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICE.working_seconds(naive, sh(2026, 11, 24, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICE.add_working(naive, 60)
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICE.is_working_time(naive)


# -- is_working_time --------------------------------------------------------------

@pytest.mark.parametrize("calendar, at, expected", [
    (OFFICE, sh(2026, 11, 23, 9), True),
    (OFFICE, sh(2026, 11, 23, 8, 59, 59), False),
    (OFFICE, sh(2026, 11, 23, 17, 59, 59), True),
    (OFFICE, sh(2026, 11, 23, 18), False),  # closing is already closed
    (OFFICE, sh(2026, 11, 28, 10), False),
    (OFFICE, datetime(2026, 11, 23, 2, tzinfo=UTC), True),  # 10:00 in Shanghai
    (OFFICE, datetime(2026, 11, 23, 0, 30, tzinfo=UTC), False),  # 08:30 in Shanghai
    (MAKEUP_SATURDAY, sh(2026, 11, 28, 10), True),
    (HOLIDAY_MONDAY, sh(2026, 11, 30, 10), False),
])
def test_is_working_time(calendar, at, expected):
    assert calendar.is_working_time(at) is expected


# -- inverse properties on random inputs ------------------------------------------

RANDOM_CALENDARS = [
    OFFICE,
    GOLDEN_WEEK,
    WorkCalendar("Europe/Berlin", days=(0, 1, 2, 3), start=time(8, 30), end=time(16, 45),
                 holidays=frozenset({date(2026, 3, 30), date(2026, 12, 25)})),
    WorkCalendar("America/New_York", days=(0, 2, 4, 5)),
]


def _random_instant(rng: random.Random) -> datetime:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    return base + timedelta(microseconds=rng.randrange(0, 366 * 86_400 * 10**6))


@pytest.mark.parametrize("calendar", RANDOM_CALENDARS, ids=lambda c: c.tz)
def test_working_seconds_undoes_add_working(calendar):
    rng = random.Random(4242)
    for _ in range(300):
        start = _random_instant(rng).astimezone(rng.choice([SH, BERLIN, UTC]))
        seconds = rng.randrange(0, 15 * 9 * 3600 * 10**6) / 10**6
        end = calendar.add_working(start, seconds)
        assert end >= start
        assert calendar.working_seconds(start, end) == pytest.approx(seconds, abs=1e-6)


@pytest.mark.parametrize("calendar", RANDOM_CALENDARS, ids=lambda c: c.tz)
def test_add_working_undoes_working_seconds(calendar):
    rng = random.Random(2718)
    for _ in range(300):
        start = _random_instant(rng)
        end = start + timedelta(seconds=rng.uniform(0, 20 * 86_400))
        reached = calendar.add_working(start, calendar.working_seconds(start, end))
        # The earliest instant with that much work done: never after end,
        # no work left between it and end, and exactly end while open.
        assert reached <= end or calendar.working_seconds(start, end) == 0
        assert calendar.working_seconds(min(reached, end), end) == pytest.approx(0.0, abs=1e-6)
        if calendar.is_working_time(end) and calendar.working_seconds(start, end) > 0:
            assert abs((reached - end).total_seconds()) < 1e-5


# -- DST ----------------------------------------------------------------------------

BERLIN_OFFICE = WorkCalendar("Europe/Berlin")


def test_dst_spring_forward_weekend():
    # Clocks go forward on Sun 2026-03-29: Friday is UTC+1, Monday UTC+2.
    start = berlin(2026, 3, 27, 16)
    end = BERLIN_OFFICE.add_working(start, 4 * HOUR)
    assert end == berlin(2026, 3, 30, 11)
    assert end.astimezone(UTC) == datetime(2026, 3, 30, 9, tzinfo=UTC)
    # Real elapsed time is 66 h (the wall clock says 67 h), yet exactly 4 working hours.
    assert (end - start.astimezone(UTC)).total_seconds() == 66 * HOUR
    assert BERLIN_OFFICE.working_seconds(start, end) == 4 * HOUR


def test_dst_fall_back_weekend():
    # Clocks go back on Sun 2026-10-25: Friday is UTC+2, Monday UTC+1.
    start = berlin(2026, 10, 23, 16)
    end = BERLIN_OFFICE.add_working(start, 4 * HOUR)
    assert end == berlin(2026, 10, 26, 11)
    assert end.astimezone(UTC) == datetime(2026, 10, 26, 10, tzinfo=UTC)
    assert BERLIN_OFFICE.working_seconds(start, end) == 4 * HOUR


@pytest.mark.parametrize("day, hours", [
    (date(2026, 3, 28), 23 + 59 / 60),
    (date(2026, 3, 29), 22 + 59 / 60),  # 02:00-03:00 does not exist
    (date(2026, 10, 25), 24 + 59 / 60),  # 02:00-03:00 happens twice
])
def test_transition_days_have_their_real_length(day, hours):
    all_day = WorkCalendar("Europe/Berlin", days=tuple(range(7)), start=time(0), end=time(23, 59))
    start = datetime.combine(day, time(0), tzinfo=BERLIN)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=BERLIN)
    assert all_day.working_seconds(start, end) == pytest.approx(hours * HOUR)


def test_hours_spanning_the_transition_itself():
    night = WorkCalendar("Europe/Berlin", days=tuple(range(7)), start=time(1), end=time(4))
    assert night.working_seconds(berlin(2026, 3, 29), berlin(2026, 3, 30)) == 2 * HOUR
    assert night.working_seconds(berlin(2026, 10, 25), berlin(2026, 10, 26)) == 4 * HOUR
    # 01:00 CET + 1.5 h of real time is 03:30 CEST.
    assert night.add_working(berlin(2026, 3, 29, 1), 1.5 * HOUR) == berlin(2026, 3, 29, 3, 30)


def test_dst_free_zone_is_not_shifted():
    # Shanghai has no DST: the same March weekend is a plain 4 h.
    assert OFFICE.add_working(sh(2026, 3, 27, 16), 4 * HOUR) == sh(2026, 3, 30, 11)


# -- construction and bounds ----------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    ({"days": ()}, "no working day"),
    ({"days": (7,)}, "weekday"),
    ({"days": (-1,)}, "weekday"),
    ({"days": ("mon",)}, "weekday"),
    ({"start": time(18), "end": time(9)}, "before end"),
    ({"start": time(9), "end": time(9)}, "before end"),
    ({"start": time(9, tzinfo=UTC)}, "naive"),
    ({"start": "09:00"}, "datetime.time"),
    ({"tz": "Asia/Beijing"}, "unknown time zone"),
    ({"holidays": frozenset({date(2026, 11, 28)}), "workdays": frozenset({date(2026, 11, 28)})}, "both"),
    ({"holidays": frozenset({"2026-11-28"})}, "datetime.date"),
    ({"holidays": frozenset({datetime(2026, 11, 28)})}, "datetime.date"),
])
def test_constructor_rejects_bad_calendars(kwargs, message):
    with pytest.raises(ValueError, match=message):
        WorkCalendar(**kwargs)


def test_workdays_alone_make_a_finite_calendar():
    only_saturday = WorkCalendar(days=(), workdays=frozenset({date(2026, 11, 28)}))
    assert only_saturday.add_working(sh(2026, 11, 27, 16), 4 * HOUR) == sh(2026, 11, 28, 13)
    began = wall_clock.perf_counter()
    with pytest.raises(ValueError, match="not enough working time"):
        only_saturday.add_working(sh(2026, 11, 27, 16), 10 * HOUR)
    assert wall_clock.perf_counter() - began < 0.5  # stopped after the last workday


def test_long_spans_are_fast_and_exact():
    twenty_years = 20 * 52 * 45 * HOUR
    began = wall_clock.perf_counter()
    end = OFFICE.add_working(sh(2026, 11, 23, 9), twenty_years)
    assert OFFICE.working_seconds(sh(2026, 11, 23, 9), end) == pytest.approx(twenty_years, abs=1e-6)
    assert wall_clock.perf_counter() - began < 2.0


def test_search_horizon_is_bounded():
    beyond = (MAX_SEARCH_DAYS + 14) * 9 * HOUR
    with pytest.raises(ValueError, match="not enough working time"):
        OFFICE.add_working(sh(2026, 11, 23, 9), beyond)


# -- from_dict ------------------------------------------------------------------------

def test_from_dict_reads_iso_weekdays_and_dates():
    cal = WorkCalendar.from_dict({
        "days": [1, 2, 3, 4, 5], "start": "09:00", "end": "18:00",
        "holidays": ["2027-01-01"], "workdays": ["2027-02-06"],
    })
    assert cal == WorkCalendar(holidays=frozenset({date(2027, 1, 1)}), workdays=frozenset({date(2027, 2, 6)}))
    assert cal.days == (0, 1, 2, 3, 4)
    assert not cal.is_working_day(date(2027, 1, 1))  # a Friday, but a holiday
    assert cal.is_working_day(date(2027, 2, 6))  # a Saturday, but worked


def test_from_dict_defaults_and_other_values():
    assert WorkCalendar.from_dict({}) == WorkCalendar()
    cal = WorkCalendar.from_dict({"tz": "Europe/Berlin", "days": [6, 7], "start": "8:30", "end": "12:15"})
    assert cal == WorkCalendar("Europe/Berlin", days=(5, 6), start=time(8, 30), end=time(12, 15))


@pytest.mark.parametrize("d, message", [
    ({"start": "18:00", "end": "09:00"}, "before end"),
    ({"start": "09:00", "end": "09:00"}, "before end"),
    ({"days": [0]}, "unknown weekday 0"),
    ({"days": [8]}, "unknown weekday 8"),
    ({"days": ["Mon"]}, "unknown weekday 'Mon'"),
    ({"days": [True]}, "unknown weekday True"),
    ({"days": 1}, "days must be a list"),
    ({"days": []}, "no working day"),
    ({"start": "9am"}, "start must be a time"),
    ({"end": "25:00"}, "not a valid time"),
    ({"end": "17:60"}, "not a valid time"),
    ({"start": 900}, "start must be a time"),
    ({"holidays": ["2027-02-30"]}, "not a valid date: '2027-02-30'"),
    ({"holidays": ["2027/01/01"]}, "not a valid date"),
    ({"holidays": ["20270101"]}, "YYYY-MM-DD"),
    ({"workdays": [20270206]}, "YYYY-MM-DD"),
    ({"workdays": "2027-02-06"}, "workdays must be a list"),
    ({"holidays": ["2027-02-06"], "workdays": ["2027-02-06"]}, "both"),
    ({"tz": "Mars/Olympus"}, "unknown time zone"),
    ({"holiday": ["2027-01-01"]}, "unknown work calendar keys"),
])
def test_from_dict_rejects_bad_values(d, message):
    with pytest.raises(ValueError, match=message):
        WorkCalendar.from_dict(d)


def test_from_dict_rejects_non_mapping():
    with pytest.raises(ValueError, match="mapping"):
        WorkCalendar.from_dict([("days", [1])])  # type: ignore[arg-type]
