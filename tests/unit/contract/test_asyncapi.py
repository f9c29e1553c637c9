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
        "organising.plans.v1",
        "organising.activities.v1",
        "organising.workplaces.v1",
    }
    text = str(document["components"])
    for event_type in (
        "MemberRecruited",
        "ViolationCaseClosed",
        "SectorTargetSet",
        "SectorFallingBehind",
        "ActionPlanItemProgressed",
        "ActivityHeld",
        "WorkplaceUpdated",
    ):
        assert event_type in text
    assert "Day the member joined" in text  # a field description
    assert "wp-bekasi-0042" in text  # a field example


async def test_every_service_serves_the_contract_document():
    import httpx

    from notifications.main import create_app as notifications_app
    from recruitment.main import create_app as recruitment_app
    from reporting.main import create_app as reporting_app

    for create_app in (recruitment_app, reporting_app, notifications_app):
        # No lifespan: the document needs neither Kafka nor the store.
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://service") as client:
            response = await client.get("/asyncapi.json")
        assert response.status_code == 200
        assert response.json()["asyncapi"] == "3.0.0"
