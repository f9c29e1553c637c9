"""The operator's command, with the broker's admin API replaced by a recording fake."""

from __future__ import annotations

import pytest

from organising_shared.kafka_access import cli
from organising_shared.kafka_access.java_admin import Acl, CredentialRefused, Listing
from organising_shared.settings import OrganisingSettings


class FakeAdmin:
    def __init__(self, listing: Listing | None = None) -> None:
        self.calls: list[tuple] = []
        self.listing = listing or Listing((), ())

    def create(self, name, topic_prefix, password):
        self.calls.append(("create", name, topic_prefix, len(password)))

    def rotate(self, name, password):
        self.calls.append(("rotate", name))

    def revoke(self, name):
        raise CredentialRefused(f"no credential named {name}")

    def list(self):
        return self.listing


def _run(argv, admin, settings=None):
    return cli.run(cli._parser().parse_args(argv), settings or OrganisingSettings(), admin)


@pytest.mark.parametrize("name", ["ANONYMOUS", "anonymous!", "ab", "Fspmi", "-x-y", "a" * 64])
def test_names_that_could_pose_as_another_principal_or_confuse_tools_are_refused(name, capsys):
    admin = FakeAdmin()
    assert _run(["rotate", f"--name={name}"], admin) == 2
    assert admin.calls == []
    assert "--name must be" in capsys.readouterr().err


def test_only_a_configured_federation_gets_a_credential(capsys):
    admin = FakeAdmin()
    assert _run(["create", "--federation", "NOPE", "--name", "nope-system"], admin) == 2
    assert admin.calls == [] and "configured federations" in capsys.readouterr().err


def test_rotate_prints_a_new_password_once(capsys):
    admin = FakeAdmin()
    assert _run(["rotate", "--name", "fspmi-membership"], admin) == 0
    out = capsys.readouterr().out
    assert admin.calls == [("rotate", "fspmi-membership")]
    assert len([line for line in out.splitlines() if line.startswith("password: ")]) == 1


def test_a_refusal_is_said_plainly(capsys):
    assert _run(["revoke", "--name", "ghost-system"], FakeAdmin()) == 2
    assert "no credential named ghost-system" in capsys.readouterr().err


def test_list_shows_each_credentials_federation_and_what_is_odd(capsys):
    listing = Listing(
        users=("fspmi-membership", "spn-cases"),
        acls=(
            Acl("User:fspmi-membership", "ALLOW", "TOPIC", "PREFIXED", "organising.ingress.FSPMI.", "WRITE"),
            Acl("User:spn-cases", "ALLOW", "TOPIC", "LITERAL", "organising.membership.v1", "READ"),
            Acl("User:leftover", "ALLOW", "TOPIC", "PREFIXED", "organising.ingress.KEP.", "WRITE"),
        ),
    )
    assert _run(["list"], FakeAdmin(listing)) == 0
    out = capsys.readouterr().out
    assert "fspmi-membership                 FSPMI        organising.ingress.FSPMI.*" in out
    assert "also: ALLOW READ TOPIC LITERAL organising.membership.v1" in out
    assert "leftover" in out and "ACLs without a credential" in out
