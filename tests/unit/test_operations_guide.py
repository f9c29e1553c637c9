"""docs/operations.md lists every setting of every service, and the commands it tells operators to run exist."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import AliasChoices

from notifications.config import NotificationsSettings
from organising_shared.settings import OrganisingSettings
from recruitment.config import RecruitmentSettings
from reporting.config import ReportingSettings

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "operations.md").read_text()


def variable_names(settings: type[OrganisingSettings]) -> list[str]:
    names = []
    for field_name, field in settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.append(str(alias.choices[0]))
        elif isinstance(alias, str):
            names.append(alias)
        else:
            names.append(settings.model_config["env_prefix"] + field_name.upper())
    return names


@pytest.mark.parametrize("settings", [OrganisingSettings, RecruitmentSettings, ReportingSettings, NotificationsSettings])
def test_every_setting_is_in_the_guide(settings):
    missing = [name for name in variable_names(settings) if f"`{name}`" not in GUIDE]
    assert not missing, f"docs/operations.md does not list {missing}"


def test_the_commands_the_guide_names_are_installed_by_the_packages():
    scripts: set[str] = set()
    for project in ("shared", "services/recruitment", "services/reporting", "services/notifications"):
        scripts |= set(tomllib.loads((ROOT / project / "pyproject.toml").read_text())["project"]["scripts"])
    for command in ("organising-tokens", "organising-recruitment-keys", "organising-notifications-keys", "organising-reporting-rebuild"):
        assert command in GUIDE and command in scripts, command


def test_the_guide_is_linked_from_both_readmes():
    assert "docs/operations.md" in (ROOT / "README.md").read_text()
    assert "(operations.md)" in (ROOT / "docs" / "README.md").read_text()
