"""Free-text screening: every common spelling of a phone number, NIK or e-mail address is found
(and named by its kind), while dates, money, region codes and short numbers pass."""

from __future__ import annotations

import pytest

from organising_shared.screening import (
    PersonalDataKind,
    personal_data_in,
    personal_data_problem,
    refuse_personal_data,
    refuse_personal_data_in_identifier,
)

PHONE, NIK, ID, EMAIL = (
    PersonalDataKind.PHONE_NUMBER,
    PersonalDataKind.NIK,
    PersonalDataKind.ID_NUMBER,
    PersonalDataKind.EMAIL_ADDRESS,
)

FOUND = [
    # phone numbers: international, national, without trunk zero, landlines
    ("call +62 812 1005 9887 after work", PHONE),
    ("+62 812-8537-3257", PHONE),
    ("+6281234567890", PHONE),
    ("(+62) 812 1005 9887", PHONE),
    ("+62 (21) 555-1234", PHONE),
    ("62 812 1005 9887", PHONE),
    ("6281210059887", PHONE),
    ("0812 1005 9887", PHONE),
    ("0812-1005-9887", PHONE),
    ("0812.1005.9887", PHONE),
    ("081210059887", PHONE),
    ("HP:081210059887", PHONE),
    ("hubungi 0812 1005 9887.", PHONE),
    ("812-8537-3257", PHONE),
    ("(021) 555-1234", PHONE),
    ("021-5551234", PHONE),
    ("+44 20 7946 0958", PHONE),
    ("+62-812-1005-9887", PHONE),
    ("+62-21-555-1234", PHONE),
    ("tel 021 555 1234", PHONE),
    ("WA: 0812 1005 9887 / 0813 2222 3333", PHONE),
    # other scripts, other separators, invisible characters
    ("０８１２-１００５-９８８７", PHONE),
    ("＋６２ ８１２ １００５ ９８８７", PHONE),
    ("٠٨١٢١٠٠٥٩٨٨٧", PHONE),
    ("۰۸۱۲۱۰۰۵۹۸۸۷", PHONE),  # Extended Arabic-Indic (Persian, Urdu)
    ("०८१२१००५९८८७", PHONE),  # Devanagari
    ("+62\u00a0812\u00a01005\u00a09887", PHONE),  # no-break spaces
    ("0812\u20131005\u20139887", PHONE),  # en dashes
    ("0812\u200b1005\u200b9887", PHONE),  # zero-width spaces
    ("0812\u22121005\u22129887", PHONE),  # minus signs
    # NIK
    ("NIK 3201123456780001 was dismissed", NIK),
    ("3201 1234 5678 0001", NIK),
    ("3201-1234-5678-0001", NIK),
    ("3201.1234.5678.0001", NIK),
    ("32.01.12.345678.0001", NIK),
    ("NIK:3201123456780001", NIK),
    ("NIK: 3201-12-345678-0001", NIK),
    ("３２０１１２３４５６７８０００１", NIK),
    ("٣٢٠١١٢٣٤٥٦٧٨٠٠٠١", NIK),
    # long numbers that identify someone
    ("NPWP 01.234.567.8-901.000", ID),
    ("rekening BCA 1234567890", ID),
    ("nomor 12345678901234567890", ID),
    # e-mail addresses
    ("siti.rahayu@gmail.com", EMAIL),
    ("write to SITI_R+union@mail.example.co.id today", EMAIL),
    ("siti＠gmail．com", EMAIL),
    ("siti [at] gmail [dot] com", EMAIL),
    ("siti(at)gmail(dot)com", EMAIL),
    ("siti {at} gmail.com", EMAIL),
    ("budi@pabrik-maju.co.id,", EMAIL),
    ("SITI@GMAIL.COM", EMAIL),
]

CLEAN = [
    "",
    "PUK officers transferred after founding",
    "2026-03-14",
    "from 2026-03-14 to 2026-03-20",
    "2026-03-14 2026-03-20",
    "14/03/2026 15/03/2026",
    "sejak 01.03.2026 08.00 WIB",
    "shift 07.00-15.00",
    "Rp 4.500.000",
    "Rp 1.250.000.000",
    "Rp. 3.500.000/bulan, di bawah UMK Rp 4.798.312",
    "pesangon Rp1250000000 belum dibayar",
    "IDR 1250000000",
    "Rp 4.500.000 - 5.000.000",
    "1.250.000,00",
    "12.5% of 1,250,000,000",
    "32",
    "32.16",
    "32.16.05.2001",
    "UU 13/2003 pasal 156 ayat 2",
    "PP 35 Tahun 2021",
    "case-2026-0107 at wp-bekasi-0042",
    "41 of 120 workers, 12 women",
    "10 20 30 40 50",
    "tel. ext 1234",
    "12345678",  # eight digits: too short to be anyone's number
    "@serikat_pekerja on social media",
    "Pekerja @pabrik. Kemudian mogok",
    "Pekerja (at) the plant",
    "2026-03-14T09:30:00+07:00",
    "Pasal 59 ayat (1) huruf a, (2) dan (3)",
    "dari 1.500 menjadi 2.750 pekerja",
    "No. 123/Pdt.Sus-PHI/2026/PN.Bdg",
    "Rp1.250.000.000,- dan Rp 750.000.000",
    "0,5% dari 12.000.000",
]


@pytest.mark.parametrize(("text", "kind"), FOUND, ids=[text for text, _ in FOUND])
def test_personal_data_is_found_in_any_common_spelling(text, kind):
    assert personal_data_in(text) == (kind,)


@pytest.mark.parametrize("text", CLEAN, ids=[text or "empty" for text in CLEAN])
def test_ordinary_text_passes(text):
    assert personal_data_in(text) == ()


def test_several_kinds_are_named_in_a_fixed_order():
    text = "siti@gmail.com, 0812 1005 9887, NIK 3201123456780001"
    assert personal_data_in(text) == (PHONE, NIK, EMAIL)


def test_the_reason_names_the_kinds_and_never_the_data():
    text = "worker +62 812-8537-3257 and siti@gmail.com"
    problem = personal_data_problem(text)
    assert problem == "contains what looks like a phone number and an e-mail address; free text must not hold personal data"
    for value in ("8537", "3257", "siti", "gmail"):
        assert value not in problem
    assert personal_data_problem("40 workers") is None


def test_the_validator_refuses_and_passes():
    assert refuse_personal_data("40 workers on 2026-03-14") == "40 workers on 2026-03-14"
    with pytest.raises(ValueError, match="looks like a NIK"):
        refuse_personal_data("3201 1234 5678 0001")


@pytest.mark.parametrize("identifier", ["3201123456780001", "wp-0812-1005-9887", "siti@gmail.com", "case-+62 812 1005 9887"])
def test_an_identifier_that_is_personal_data_is_refused(identifier):
    with pytest.raises(ValueError, match="an identifier must not be personal data"):
        refuse_personal_data_in_identifier(identifier)


@pytest.mark.parametrize("identifier", ["wp-bekasi-0042", "case-2026-0107", "nib-9120301234567", "puk-fspmi-0042", "32.16-wp-7"])
def test_ordinary_identifiers_pass_even_with_a_long_number(identifier):
    assert refuse_personal_data_in_identifier(identifier) == identifier
