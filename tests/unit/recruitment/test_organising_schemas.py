"""The intake's bodies for the organising work against the events they become."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from organising_shared.events import ActionPlanItemAdded, ActionPlanItemProgressed, ActivityHeld, WorkplaceRegistered, WorkplaceUpdated
from organising_shared.reference import (
    ActivityKind,
    AgeBand,
    CaseOutcome,
    CaseStage,
    CbaStatus,
    EmploymentStatus,
    Gender,
    LeaveReason,
    PlanItemKind,
    PlanItemStatus,
    ViolationCategory,
)
from recruitment import reference_data
from recruitment.config import RecruitmentSettings
from recruitment.organising_schemas import ActivityCreate, PlanItemCreate, PlanItemProgress, WorkplaceCreate, WorkplaceUpdate


@pytest.mark.parametrize(
    ("body", "event", "not_in_event"),
    [
        (PlanItemCreate, ActionPlanItemAdded, set()),
        (PlanItemProgress, ActionPlanItemProgressed, set()),
        (ActivityCreate, ActivityHeld, {"federation"}),
        (WorkplaceCreate, WorkplaceRegistered, {"federation"}),
        (WorkplaceUpdate, WorkplaceUpdated, {"federation"}),
    ],
)
def test_a_body_has_every_field_of_its_event(body, event, not_in_event):
    # The path names the item or workplace of a progress or update.
    in_path = {"item_id"} if body is PlanItemProgress else {"workplace_id"} if body is WorkplaceUpdate else set()
    assert set(body.model_fields) - not_in_event == set(event.model_fields) - in_path


def test_nan_and_infinity_are_not_percentages():
    valid = {
        "workplace_id": "wp-1",
        "sector": "metal",
        "region_code": "32.16",
        "employer": "PT Contoh",
        "workforce": 10,
        "cba": "none",
    }
    for bad in ("NaN", "Infinity"):
        raw = json.dumps(valid)[:-1] + f', "women_percent": {bad}}}'
        with pytest.raises(ValidationError) as refused:
            WorkplaceCreate.model_validate_json(raw)
        assert refused.value.errors()[0]["loc"] == ("women_percent",)


@pytest.mark.parametrize(
    ("labels", "enum"),
    [
        (reference_data.EMPLOYMENT_STATUS, EmploymentStatus),
        (reference_data.GENDER, Gender),
        (reference_data.AGE_BAND, AgeBand),
        (reference_data.LEAVE_REASON, LeaveReason),
        (reference_data.VIOLATION_CATEGORY, ViolationCategory),
        (reference_data.CASE_STAGE, CaseStage),
        (reference_data.CASE_OUTCOME, CaseOutcome),
        (reference_data.PLAN_ITEM_KIND, PlanItemKind),
        (reference_data.PLAN_ITEM_STATUS, PlanItemStatus),
        (reference_data.ACTIVITY_KIND, ActivityKind),
        (reference_data.CBA_STATUS, CbaStatus),
    ],
)
def test_every_code_has_both_labels(labels, enum):
    assert list(labels) == list(enum)
    assert all(label_id.strip() and label_en.strip() for label_id, label_en in labels.values())


def test_the_reference_data_lists_the_configured_programmes_and_federations():
    settings = RecruitmentSettings(federations=("FSPMI", "SPN"))
    data = reference_data.reference_data(settings)
    assert [label.code for label in data.federations] == ["FSPMI", "SPN"]
    assert [label.code for label in data.programmes] == [programme.code for programme in settings.programmes]
