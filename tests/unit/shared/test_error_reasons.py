"""Validation errors made into reasons: field and rule, never the submitted value."""

from __future__ import annotations

from organising_shared.error_reasons import UNKNOWN_FIELD, describe_errors, safe_location, safe_message

NIK = "3201123456780001"


def test_plain_field_names_are_kept_and_other_keys_hidden():
    assert safe_location(("body", "region_code", 0, "Idempotency-Key")) == ["body", "region_code", 0, "Idempotency-Key"]
    assert safe_location(("body", NIK)) == ["body", UNKNOWN_FIELD]
    assert safe_location(("body", "Siti Rahayu")) == ["body", UNKNOWN_FIELD]
    assert safe_location(("body", "nik_3201123456780001")) == ["body", UNKNOWN_FIELD]


def test_a_custom_message_that_repeats_the_input_has_it_cut_out():
    item = {"type": "value_error", "msg": f"Value error, {NIK} is not a region", "input": NIK}
    assert safe_message(item) == "… is not a region"


def test_a_library_message_keeps_short_expected_values():
    item = {"type": "enum", "msg": "Input should be 'won', 'settled' or 'lost'", "input": "wo"}
    assert safe_message(item) == "Input should be 'won', 'settled' or 'lost'"


def test_a_discriminator_tag_is_not_repeated():
    item = {
        "type": "union_tag_invalid",
        "msg": f"Input tag '{NIK}' found using 'type' does not match any of the expected tags: 'webhook', 'email'",
        "input": {"type": NIK},
        "ctx": {"discriminator": "'type'", "tag": NIK, "expected_tags": "'webhook', 'email'"},
    }
    assert safe_message(item) == "does not match any of the expected tags: 'webhook', 'email'"


def test_errors_are_described_in_order_with_a_limit():
    errors = [
        {"type": "missing", "loc": ("data", "sector"), "msg": "Field required", "input": {}},
        {"type": "extra_forbidden", "loc": ("data", NIK), "msg": "Extra inputs are not permitted", "input": NIK},
        {"type": "missing", "loc": ("occurred_at",), "msg": "Field required", "input": {}},
    ]
    assert (
        describe_errors(errors, limit=2) == "data.sector: Field required; data.<unknown field>: Extra inputs are not permitted; and 1 more"
    )


def test_a_short_input_is_cut_only_where_the_message_quotes_it():
    quoted = {"type": "value_error", "msg": "Value error, 'Siti' is not a code", "input": "Siti"}
    assert safe_message(quoted) == "'…' is not a code"
    # "code" typed into region_code: the rule's own word stays.
    unquoted = {"type": "value_error", "msg": "Value error, region_code is not a Kemendagri code like '32'", "input": "code"}
    assert safe_message(unquoted) == "region_code is not a Kemendagri code like '32'"
