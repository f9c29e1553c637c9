"""The intake's request bodies enforce the contract's bounds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from organising_shared.periods import jakarta_today
from recruitment.schemas import MemberCreate, ViolationCreate

MEMBER = {
    "sector": "metal",
    "workplace_id": "wp-1",
    "region_code": "32.16",
    "employment_status": "permanent",
    "gender": "female",
    "recruited_on": "2026-03-01",
}


def test_today_in_jakarta_is_allowed_and_tomorrow_is_not():
    MemberCreate.model_validate({**MEMBER, "recruited_on": jakarta_today().isoformat()})
    with pytest.raises(ValidationError, match="future"):
        MemberCreate.model_validate({**MEMBER, "recruited_on": (jakarta_today() + timedelta(days=1)).isoformat()})


def test_personal_data_is_only_what_was_given():
    assert MemberCreate.model_validate(MEMBER).personal_data() == {}
    given = MemberCreate.model_validate({**MEMBER, "nik": "3216012345670001", "full_name": " Siti "})
    assert given.personal_data() == {"nik": "3216012345670001", "full_name": "Siti"}


@pytest.mark.parametrize("summary", ["NIK 3216012345670001 dipecat", "hubungi 0812-3456-7890", "call +6281234567890"])
def test_a_summary_with_a_nik_or_phone_number_is_refused(summary):
    body = {**MEMBER, "category": "overtime", "workers_affected": 3, "reported_on": "2026-03-01", "summary": summary}
    body.pop("employment_status"), body.pop("gender"), body.pop("recruited_on")
    with pytest.raises(ValidationError, match="summary"):
        ViolationCreate.model_validate(body)


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError, match="nama"):
        MemberCreate.model_validate({**MEMBER, "nama": "Siti"})
