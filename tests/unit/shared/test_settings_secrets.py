"""Secrets come from files (compose mounts them in /run/secrets) or from the environment."""

from __future__ import annotations

import pytest

from notifications.config import NotificationsSettings
from organising_shared import settings as shared_settings
from recruitment.config import DEV_MASTER_KEY, RecruitmentSettings

KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # 32 bytes, URL-safe base64


def test_each_secret_is_read_from_a_file_named_like_its_variable(tmp_path, monkeypatch):
    for name in ("ORGANISING_ADMIN_TOKEN", "ORGANISING_RECRUITMENT_MASTER_KEY", "ORGANISING_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "organising_admin_token").write_text("admin-from-file\n")
    (tmp_path / "organising_recruitment_master_key").write_text(KEY + "\n")
    (tmp_path / "organising_smtp_password").write_text("mail-from-file\n")

    recruitment = RecruitmentSettings(_secrets_dir=tmp_path)
    assert recruitment.admin_token.get_secret_value() == "admin-from-file"
    assert recruitment.master_key.get_secret_value() == KEY  # trailing newline dropped
    assert NotificationsSettings(_secrets_dir=tmp_path).smtp_password.get_secret_value() == "mail-from-file"


def test_the_environment_still_wins_over_a_file(tmp_path, monkeypatch):
    (tmp_path / "organising_admin_token").write_text("admin-from-file")
    monkeypatch.setenv("ORGANISING_ADMIN_TOKEN", "admin-from-env")
    assert RecruitmentSettings(_secrets_dir=tmp_path).admin_token.get_secret_value() == "admin-from-env"


def test_without_a_file_or_variable_the_development_default_stays(tmp_path, monkeypatch):
    monkeypatch.delenv("ORGANISING_RECRUITMENT_MASTER_KEY", raising=False)
    assert RecruitmentSettings(_secrets_dir=tmp_path).master_key.get_secret_value() == DEV_MASTER_KEY


def test_the_secrets_folder_is_used_only_when_it_exists(tmp_path, monkeypatch):
    monkeypatch.setenv("ORGANISING_SECRETS_DIR", str(tmp_path))
    assert shared_settings.secrets_dir() == str(tmp_path)
    monkeypatch.setenv("ORGANISING_SECRETS_DIR", str(tmp_path / "absent"))
    assert shared_settings.secrets_dir() is None


def test_the_mongodb_password_file_and_user_go_into_the_url_and_not_into_repr(tmp_path, monkeypatch):
    monkeypatch.delenv("MONGODB_URL", raising=False)
    monkeypatch.setenv("ORGANISING_MONGODB_URL", "mongodb://mongo:27017/?replicaSet=rs0")
    monkeypatch.setenv("ORGANISING_MONGODB_USERNAME", "recruitment")
    (tmp_path / "organising_mongodb_password").write_text("p@ss/word:1\n")

    settings = RecruitmentSettings(_secrets_dir=tmp_path)

    assert settings.mongodb_url == "mongodb://recruitment:p%40ss%2Fword%3A1@mongo:27017/?replicaSet=rs0&authSource=admin"
    assert "p%40ss" not in repr(settings) and "p@ss" not in repr(settings)


def test_without_a_mongodb_user_the_url_is_left_as_it_is(tmp_path, monkeypatch):
    monkeypatch.setenv("MONGODB_URL", "mongodb://127.0.0.1:27017/?directConnection=true")
    for name in ("ORGANISING_MONGODB_USERNAME", "ORGANISING_MONGODB_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    assert RecruitmentSettings(_secrets_dir=tmp_path).mongodb_url == "mongodb://127.0.0.1:27017/?directConnection=true"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mongodb://127.0.0.1:28017", "mongodb://u:p@127.0.0.1:28017/?authSource=admin"),
        ("mongodb://h:1/?directConnection=true&authSource=own", "mongodb://u:p@h:1/?directConnection=true&authSource=own"),
        ("mongodb://h1:1,h2:2/?replicaSet=rs0", "mongodb://u:p@h1:1,h2:2/?replicaSet=rs0&authSource=admin"),
    ],
)
def test_credentials_are_put_before_the_hosts(url, expected):
    assert shared_settings.url_with_credentials(url, "u", "p") == expected


def test_a_user_without_a_password_or_a_url_with_its_own_user_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("MONGODB_URL", "mongodb://mongo:27017/")
    monkeypatch.setenv("ORGANISING_MONGODB_USERNAME", "recruitment")
    monkeypatch.delenv("ORGANISING_MONGODB_PASSWORD", raising=False)
    with pytest.raises(ValueError, match="set together"):
        RecruitmentSettings(_secrets_dir=tmp_path)
    with pytest.raises(ValueError, match="already names a user"):
        shared_settings.url_with_credentials("mongodb://other:pw@mongo:27017/", "u", "p")
