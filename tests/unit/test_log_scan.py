"""The scan of the run's logs for personal data finds it in any spelling of its digits and names
only where it is, and reads the test sources for what they submit."""

from __future__ import annotations

from tests.log_scan import find_personal_data, personal_data_in_test_sources

NIK = "3201123456780001"


def test_a_line_holding_a_submitted_nik_is_found_by_file_and_line_only():
    lines = [("a.log", 1, "dead-lettered x[0]@4: region_code is invalid"), ("a.log", 2, f"refused {NIK} here")]
    assert find_personal_data(iter(lines), {NIK}) == ["a.log:2"]


def test_the_same_nik_in_other_scripts_digits_is_found():
    arabic_indic = "".join(chr(0x0660 + int(digit)) for digit in NIK)
    fullwidth = "".join(chr(0xFF10 + int(digit)) for digit in NIK)
    lines = [("b.log", 7, f"nik={arabic_indic}"), ("b.log", 8, f"nik={fullwidth}"), ("b.log", 9, "nothing")]
    assert find_personal_data(iter(lines), {NIK}) == ["b.log:7", "b.log:8"]


def test_the_test_sources_name_the_personal_data_they_submit():
    found = personal_data_in_test_sources()
    assert {"3216012345670001", "+6281234567890", "Siti Rahayu Wulandari", "Dewi Lestari Anggraini", "081298765432"} <= found
