"""Reading and validating a federation's CSV (no store involved)."""

from __future__ import annotations

import pytest

from recruitment.errors import Invalid
from recruitment.importer import read_csv, validate_rows
from recruitment.vault import Vault

HEADER = "sector,workplace_id,region_code,employment_status,gender,recruited_on,nik"


class _Intake:
    vault = Vault(master_keys=[bytes(32)], pseudonym_secret=b"p", lookup_secret=b"l")


def rows_of(text: str):
    rows, rejected = read_csv(text.encode())
    valid, invalid = validate_rows(_Intake(), "FSPMI", rows)
    return valid, sorted(rejected + invalid, key=lambda item: item.line)


def test_line_numbers_count_the_header_and_reasons_name_the_field_not_the_value():
    valid, rejected = rows_of(
        f"{HEADER}\n"
        "metal,wp-1,32.16,permanent,female,2026-03-01,3216012345670001\n"
        "metal,wp-1,32.16,permanent,female,2026-03-01,32160123\n"
        "plastics,wp-1,32.16,permanent,female,2026-03-01,\n"
    )
    assert [row.line for row in valid] == [2]
    assert [item.line for item in rejected] == [3, 4]
    assert rejected[0].reason.startswith("nik:") and "32160123" not in rejected[0].reason
    assert rejected[1].reason.startswith("sector:")


def test_a_quoted_field_spanning_lines_keeps_later_line_numbers_right():
    valid, rejected = rows_of(f'{HEADER}\nmetal,"wp\n1",32.16,permanent,female,2026-03-01,\nmetal,wp-2,32,permanent,female,2026-03-01,\n')
    assert [item.line for item in rejected] == [2]  # the record starts on line 2 and ends on line 3
    assert [row.line for row in valid] == [4]


def test_semicolons_blank_lines_and_a_byte_order_mark_are_what_spreadsheets_write():
    text = "\ufeff" + HEADER.replace(",", ";") + "\nmetal;wp-1;32.16;daily;male;2026-03-01;\n\n"
    valid, rejected = rows_of(text)
    assert len(valid) == 1 and rejected == []


def test_a_short_row_and_a_repeated_nik_are_rejected_with_their_lines():
    valid, rejected = rows_of(
        f"{HEADER}\nmetal,wp-1\n"
        "metal,wp-1,32.16,permanent,female,2026-03-01,3216012345670001\n"
        "metal,wp-2,32.16,permanent,female,2026-03-01,3216012345670001\n"
    )
    assert [row.line for row in valid] == [3]
    assert [(item.line, item.reason.split(" ")[0]) for item in rejected] == [(2, "has"), (4, "nik:")]
    assert "line 3" in rejected[1].reason


def test_identical_rows_without_a_nik_are_different_workers_with_different_fingerprints():
    row = "metal,wp-1,32.16,permanent,female,2026-03-01,\n"
    valid, _ = rows_of(HEADER + "\n" + row + row)
    assert len(valid) == 2 and valid[0].fingerprint != valid[1].fingerprint
    again, _ = rows_of(HEADER + "\n" + row + row)
    assert [r.fingerprint for r in again] == [r.fingerprint for r in valid]  # a re-upload is recognised


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("sector,workplace_id\n", "missing columns"),
        (HEADER + ",nama\n", "unknown column at position 8 ("),
        (HEADER + ",nik\n", "twice"),
    ],
)
def test_a_bad_header_refuses_the_whole_file(text, problem):
    with pytest.raises(Invalid) as refused:
        read_csv(text.encode())
    assert problem in refused.value.reason


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(Invalid):
        read_csv((HEADER + "\nmetal,wp-1,32.16,permanent,female,2026-03-01,\u00e9\n").encode("utf-16"))
