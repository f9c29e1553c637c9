"""Every field path of a counter document, defined once.

A counter document holds the figures of one period, sector and federation (`counter_id`). The
projection writes these paths (`counting`, through `projection.apply.write_counters`) and the
readers read them (`figures`, `breakdowns`, the exports): both sides use the names below, so a
figure cannot be written under one name and read under another.

Paths are dotted: MongoDB stores `recruited.gender.female` as nested documents. Region codes
hold a dot themselves, so they are stored with a dash (`region_key`).
"""

from __future__ import annotations

# Totals (top-level fields).
MEMBERS_RECRUITED = "members_recruited"
MEMBERS_LEFT = "members_left"
UNION_UNITS_ESTABLISHED = "union_units_established"
FOUNDING_MEMBERS = "founding_members"
WOMEN_ON_BOARD = "women_on_board"
CASES_REPORTED = "cases_reported"
CASES_CLOSED = "cases_closed"
CASES_RESOLVED = "cases_resolved"
WORKERS_AFFECTED = "workers_affected"
WOMEN_AFFECTED = "women_affected"
WORKERS_BENEFITED = "workers_benefited"
RECOVERED_IDR = "recovered_idr"

# The three figures a sector target sets (docs/contract.md, counting rules).
TARGET_FIELDS = (MEMBERS_RECRUITED, UNION_UNITS_ESTABLISHED, CASES_RESOLVED)

# Groups of breakdowns: who was recruited or left, units founded, cases reported — by region.
RECRUITED = "recruited"
LEFT = "left"
UNITS = "units"
CASES = "cases"

# The three target metrics again, by the day they count on: `daily.<metric>.<YYYY-MM-DD>`, in
# the counter document of each period holding that day. The pace chart (GET /api/v1/pace) sums
# them into a cumulative line. Written by the same contributions as the totals, so they are
# exactly once and rebuilt alike.
DAILY = "daily"

# Open cases by the day they were reported; their age is taken when read.
OPEN_CASES_BY_DAY = "cases.open_by_day"
CASE_OUTCOMES = "cases.outcome"


def counter_id(period: str, sector: str, federation: str) -> str:
    return f"{period}|{sector}|{federation}"


def parse_counter_id(doc_id: str) -> tuple[str, str, str]:
    period, sector, federation = doc_id.split("|")
    return period, sector, federation


def region_key(region_code: str) -> str:
    """Region codes hold dots, which MongoDB reads as paths: `32.16` is stored as `32-16`."""
    return region_code.replace(".", "-")


def region_code_of(key: str) -> str:
    return key.replace("-", ".")


def recruited_by(dimension: str, value: str = "") -> str:
    """New members by `gender`, `employment_status` or `age_band` (all of them without `value`)."""
    return f"{RECRUITED}.{dimension}.{value}" if value else f"{RECRUITED}.{dimension}"


def by_region(group: str, level: str, key: str = "") -> str:
    """`group` (RECRUITED, LEFT, UNITS, CASES) by `province` or `regency` (stored key, `region_key`)."""
    return f"{group}.{level}.{key}" if key else f"{group}.{level}"


def cases_by(status: str, dimension: str, value: str) -> str:
    """Cases `open` or `closed`, by `category` or `stage`."""
    return f"{CASES}.{status}.{dimension}.{value}"


def case_outcome(outcome: str) -> str:
    return f"{CASE_OUTCOMES}.{outcome}"


def workers_affected_by_category(category: str) -> str:
    return f"{CASES}.workers_affected.category.{category}"


def open_cases_on(day: str) -> str:
    return f"{OPEN_CASES_BY_DAY}.{day}"


def daily(metric: str, day: str = "") -> str:
    """A target metric counted on `day` (all of that metric's days without `day`)."""
    return f"{DAILY}.{metric}.{day}" if day else f"{DAILY}.{metric}"
