import pytest

from organising_shared.reference import (
    PROVINCE_CODES,
    CaseOutcome,
    Sector,
    federation_code_problem,
    region_problem,
)


def test_every_sector_has_indonesian_and_english_labels():
    assert {s.value for s in Sector} == {"chemical", "garment_textile", "automotive", "metal", "cement"}
    assert Sector.CHEMICAL.label_id == "Kimia"
    assert Sector.GARMENT_TEXTILE.label_id == "Garmen–Tekstil"
    assert Sector.AUTOMOTIVE.label_id == "Otomotif, Mesin & Komponen"
    assert Sector.METAL.label_id == "Logam"
    assert Sector.CEMENT.label_id == "Semen"
    assert all(s.label_en for s in Sector)


@pytest.mark.parametrize("code", ["32", "32.16", "31.71", "11", "96.01", "36.03"])
def test_kemendagri_codes_are_accepted(code):
    assert region_problem(code) is None


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("3216", "not a Kemendagri code"),
        ("32.1", "not a Kemendagri code"),
        ("32.16.01", "not a Kemendagri code"),
        ("JB", "not a Kemendagri code"),
        ("99", "names no Indonesian province"),
        ("20.01", "names no Indonesian province"),
        ("32.00", "names no regency or city"),
    ],
)
def test_bad_region_codes_say_why(code, why):
    assert why in region_problem(code)


def test_there_are_38_provinces():
    assert len(PROVINCE_CODES) == 38


@pytest.mark.parametrize("code", ["FSPMI", "SPN", "KEP", "FARKES-R", "ASPEK", "F1"])
def test_federation_codes_of_the_contract_shape_are_well_formed(code):
    assert federation_code_problem(code) is None


@pytest.mark.parametrize("code", ["fspmi", "F", "1SPN", "A" * 17, "FSP MI", "-KEP"])
def test_malformed_federation_codes_are_refused(code):
    assert federation_code_problem(code) is not None


def test_only_won_settled_and_partially_won_count_as_resolved():
    assert {o for o in CaseOutcome if o.is_resolved} == {CaseOutcome.WON, CaseOutcome.SETTLED, CaseOutcome.PARTIALLY_WON}
