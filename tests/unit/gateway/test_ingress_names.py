import pytest

from organising_shared.ingress import federation_of_acl_prefix, federation_of_topic, ingress_acl_prefix, ingress_topic


def test_names_and_their_federation():
    assert ingress_topic("FSPMI") == "organising.ingress.FSPMI.v1"
    assert ingress_topic("FARKES-R", prefix="t1.") == "t1.organising.ingress.FARKES-R.v1"
    assert federation_of_topic("t1.organising.ingress.FARKES-R.v1", prefix="t1.") == "FARKES-R"
    assert federation_of_topic("organising.membership.v1") is None
    assert federation_of_acl_prefix(ingress_acl_prefix("SPN")) == "SPN"
    assert federation_of_acl_prefix("organising.ingress.") is None


def test_one_federations_prefix_never_covers_anothers_topic():
    assert not ingress_topic("FSPMI").startswith(ingress_acl_prefix("FSP"))
    with pytest.raises(ValueError):
        ingress_acl_prefix("A.B")
