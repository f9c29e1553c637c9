from organising_shared.asyncapi import contract_specification


def test_asyncapi_document_names_every_topic_and_explains_the_fields():
    document = contract_specification()
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {
        "organising.membership.v1",
        "organising.violations.v1",
        "organising.targets.v1",
        "organising.progress.v1",
        "organising.deadletter.v1",
    }
    text = str(document["components"])
    for event_type in ("MemberRecruited", "ViolationCaseClosed", "SectorTargetSet", "SectorFallingBehind"):
        assert event_type in text
    assert "Day the member joined" in text  # a field description
    assert "wp-bekasi-0042" in text  # a field example
