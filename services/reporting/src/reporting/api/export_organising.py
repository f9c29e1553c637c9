"""The semester export's sheets of organising work: action plan items and activities.

Plan items: the summary (done/planned per sector and federation, every role), then the items the
caller may read (an admin all, a federation its own and the confederation-wide ones, a viewer
none), as GET /api/v1/plans lists them. Activities: the period's totals and the same groups as
GET /api/v1/activities, people cells under 5 written "<5" for every role but admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from organising_shared.auth import Principal, Role
from organising_shared.periods import Period
from organising_shared.reference import Sector
from reporting.api.plans import readable_by
from reporting.read_model import activities as A
from reporting.read_model import plans as P
from reporting.read_model.organising import activities_in, plan_documents

STATUS_LABELS = {
    "planned": "Direncanakan / Planned",
    "in_progress": "Berjalan / In progress",
    "done": "Selesai / Done",
    "postponed": "Ditunda / Postponed",
    "dropped": "Dibatalkan / Dropped",
}
ALL_SECTORS = "Beberapa sektor / Several sectors"
CONFEDERATION = "Konfederasi / Confederation-wide"


@dataclass(frozen=True)
class OrganisingFigures:
    plans: dict[str, Any]
    activities: dict[str, Any]


async def organising_figures(database: AsyncDatabase, period: Period, principal: Principal, today: date) -> OrganisingFigures:
    plans = P.plans_report(
        await plan_documents(database),
        period,
        today,
        sector=None,
        federation=None,
        readable=readable_by(principal),
        list_items=principal.role is not Role.VIEWER,
    )
    activities = A.activities_report(await activities_in(database, period), suppress=not principal.is_admin)
    return OrganisingFigures(plans, activities)


def _sector(code: str | None) -> str:
    return ALL_SECTORS if code is None else f"{Sector(code).label_id} / {Sector(code).label_en}"


def plans_sheet(out: Any, figures: OrganisingFigures, period: str, cell: Any) -> None:
    out.heading(f"Rencana aksi / Action plan — {period}")
    out.heading("Ringkasan / Summary")
    out.header(
        "Sektor / Sector",
        "Federasi / Federation",
        "Butir / Items",
        "Selesai / Done",
        "Berjalan / In progress",
        "Ditunda / Postponed",
        "Dibatalkan / Dropped",
        "Terlambat / Overdue",
    )
    for row in figures.plans["summary"]:
        out.line(
            _sector(row["sector"]),
            row["federation"] or CONFEDERATION,
            row["planned"],
            row["done"],
            row["in_progress"],
            row["postponed"],
            row["dropped"],
            row["overdue"],
        )
    out.heading("Butir rencana aksi / Plan items")
    out.header(
        "Kode / Item",
        "Sektor / Sector",
        "Federasi / Federation",
        "Jenis / Kind",
        "Judul / Title",
        "Penanggung jawab / Responsible",
        "Tenggat / Due",
        "Jumlah rencana / Planned count",
        "Status",
        "Sejak / Since",
        "Terlambat / Overdue",
        "Catatan / Note",
    )
    for item in figures.plans["items"]:
        out.line(
            item["item_id"],
            _sector(item["sector"]),
            item["federation"] or CONFEDERATION,
            item["kind"],
            item["title"],
            item["responsible"],
            item["due_on"],
            item["planned_count"],
            STATUS_LABELS[item["status"]],
            item["status_changed_on"],
            "Ya / Yes" if item["overdue"] else "Tidak / No",
            item["note"],
        )
    if not figures.plans["items"]:
        out.line("Tidak ada butir yang dapat ditampilkan / No items to show")
    out.widths(26, 30, 22, 20, 44, 30, 12, 14, 22, 12, 12, 44)


ACTIVITY_COLUMNS = (
    ("activities", "Kegiatan / Activities"),
    ("person_days", "Hari-orang / Person-days"),
    ("participants.female", "Perempuan / Female"),
    ("participants.male", "Laki-laki / Male"),
    ("participants.unspecified", "Tidak disebut / Unspecified"),
    ("participants.total", "Peserta / Participants"),
    ("women_share", "Porsi perempuan / Women's share"),
    ("cadres_trained", "Kader terlatih / Cadres trained"),
)

_SHARE_COLUMN = 2 + [key for key, _ in ACTIVITY_COLUMNS].index("women_share")


def _value(row: dict[str, Any], key: str) -> Any:
    value: Any = row
    for part in key.split("."):
        value = value[part]
    return value


def activities_sheet(out: Any, figures: OrganisingFigures, period: str, cell: Any) -> None:
    out.heading(f"Kegiatan / Activities — {period}")
    report = figures.activities
    groups = (
        ("Jumlah / Totals", "", [{"name": "", **report["totals"]}]),
        ("Menurut federasi / By federation", "Federasi / Federation", [{"name": r["federation"], **r} for r in report["by_federation"]]),
        ("Menurut sektor / By sector", "Sektor / Sector", [{"name": _sector(r["sector"]), **r} for r in report["by_sector"]]),
        (
            "Menurut program / By programme",
            "Program / Programme",
            [{"name": r["programme"] or "Tanpa program / None", **r} for r in report["by_programme"]],
        ),
        ("Menurut jenis / By kind", "Jenis / Kind", [{"name": r["kind"], **r} for r in report["by_kind"]]),
    )
    for title, first, rows in groups:
        out.heading(title)
        out.header(first, *(label for _, label in ACTIVITY_COLUMNS))
        for row in rows:
            out.line(row["name"], *(cell(_value(row, key)) for key, _ in ACTIVITY_COLUMNS))
            out.sheet.cell(out.row - 1, _SHARE_COLUMN).number_format = "0.0%"  # a share 0..1, shown as a percentage
    out.widths(34, *([16] * len(ACTIVITY_COLUMNS)))
