"""Secrets come from files (compose mounts them in /run/secrets) or from the environment."""

from __future__ import annotations

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
