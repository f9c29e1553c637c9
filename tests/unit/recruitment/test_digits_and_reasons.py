"""The intake's bodies and CSV rows: a NIK or phone in another script's digits is the same person's
(brought to 0-9 before the pattern and the keyed hash); codes in other scripts are refused; a
reason never repeats the value it refuses."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from recruitment.errors import Invalid
from recruitment.importer import read_csv
from recruitment.schemas import MemberCreate, ViolationCreate
from tests.unit.recruitment.test_importer import HEADER, rows_of
from tests.unit.recruitment.test_schemas import MEMBER

NIK = "3201123456780001"
SAME_NIK = [
    "٣٢٠١١٢٣٤٥٦٧٨٠٠٠١",  # Arabic-Indic
    "۳۲۰۱۱۲۳۴۵۶۷۸۰۰۰۱",  # Extended Arabic-Indic
    "３２０１１２３４５６７８０００１",  # fullwidth
    "३२०११२३४५६७८०००१",  # Devanagari
]
VIOLATION = {
    "sector": "metal",
    "workplace_id": "wp-1",
    "region_code": "32.16",
    "category": "overtime",
    "workers_affected": 3,
    "reported_on": "2026-03-01",
}


@pytest.mark.parametrize("nik", SAME_NIK)
def test_a_nik_in_another_script_is_kept_in_ascii_digits(nik):
    assert MemberCreate.model_validate({**MEMBER, "nik": nik}).nik == NIK


def test_a_phone_in_fullwidth_or_arabic_indic_digits_is_kept_in_ascii_digits():
    assert MemberCreate.model_validate({**MEMBER, "phone": "＋６２ ８１２-１００５-９８８７"}).phone == "+62 812-1005-9887"
    assert MemberCreate.model_validate({**MEMBER, "phone": "٠٨١٢١٠٠٥٩٨٨٧"}).phone == "081210059887"


@pytest.mark.parametrize("code", ["３２.１６", "32.١٦", "٣٢"])
def test_a_region_code_in_other_scripts_digits_is_refused(code):
    with pytest.raises(ValidationError) as refused:
        MemberCreate.model_validate({**MEMBER, "region_code": code})
    assert "region_code must be written with the digits 0-9" in str(refused.value.errors(include_input=False)[0]["msg"])


@pytest.mark.parametrize("workplace_id", ["wp-٤٢", "wp-４２"])
def test_an_identifier_in_other_scripts_digits_is_refused(workplace_id):
    with pytest.raises(ValidationError, match="identifiers must use the digits 0-9"):
        MemberCreate.model_validate({**MEMBER, "workplace_id": workplace_id})


@pytest.mark.parametrize(
    ("summary", "kind"),
    [
        ("call +62 812 1005 9887", "a phone number"),
        ("+62 812-8537-3257", "a phone number"),
        ("628121005 9887", "a phone number"),
        ("NIK 3201 1234 5678 0001", "a NIK"),
        ("NIK 3201.1234.5678.0001", "a NIK"),
        ("siti@gmail.com", "an e-mail address"),
    ],
)
def test_a_summary_with_personal_data_is_refused_by_kind(summary, kind):
    with pytest.raises(ValidationError) as refused:
        ViolationCreate.model_validate({**VIOLATION, "summary": summary})
    message = refused.value.errors()[0]["msg"]
    assert f"contains what looks like {kind}" in message


@pytest.mark.parametrize("summary", ["40 workers unpaid since 2026-03-14", "THR Rp 4.500.000 unpaid", "PUK in 32.16, 120 of 300 workers"])
def test_an_ordinary_summary_passes(summary):
    assert ViolationCreate.model_validate({**VIOLATION, "summary": summary}).summary == summary


def test_a_file_without_its_header_row_does_not_echo_the_first_member():
    first_row = f"metal,wp-1,32.16,permanent,female,2026-03-01,Siti Rahayu,081210059887,{NIK}\n"
    with pytest.raises(Invalid) as refused:
        read_csv(first_row.encode())
    reason = refused.value.reason
    assert "unknown columns at positions 1, 2, 3, 4, 5, 6, 7, 8, 9 (is the header row missing?)" in reason
    for value in ("Siti", "0812", NIK):
        assert value not in reason


def test_a_nik_in_any_column_of_a_row_is_not_repeated_in_its_reason():
    values = {
        "sector": "metal",
        "workplace_id": "wp-1",
        "region_code": "32.16",
        "employment_status": "permanent",
        "gender": "female",
        "recruited_on": "2026-03-01",
        "nik": "",
    }
    lines = []
    for column in values:
        row = {**values, column: NIK if column != "nik" else NIK + "9"}
        if column == "workplace_id":
            row[column] = NIK * 9  # too long for an identifier
        lines.append(",".join(row.values()))
    valid, rejected = rows_of(HEADER + "\n" + "\n".join(lines) + "\n")
    assert valid == []
    assert [item.line for item in rejected] == list(range(2, 2 + len(values)))
    for item in rejected:
        assert NIK not in item.reason, item.reason


@pytest.mark.parametrize("field", ["workplace_id", "case_id"])
def test_a_nik_typed_into_an_identifier_is_refused_before_it_is_published(field):
    with pytest.raises(ValidationError, match="looks like a NIK"):
        ViolationCreate.model_validate({**VIOLATION, field: NIK})
