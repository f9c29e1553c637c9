"""Settings every service shares, read from the environment (docs/contract.md, "Ports and settings")."""

from __future__ import annotations

import os
from typing import Annotated, Self
from urllib.parse import parse_qsl, quote_plus, urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from organising_shared.programmes import DEFAULT_PROGRAMMES, Programme
from organising_shared.reference import DEFAULT_FEDERATIONS, federation_code_problem
from organising_shared.topics import Topics


def secrets_dir() -> str | None:
    """Where secret files are read from: compose mounts them in /run/secrets (docker-compose.yml).

    A file named like the variable, in lower case (`organising_admin_token`), gives that setting;
    the environment variable still wins when both are set. ORGANISING_SECRETS_DIR moves the
    folder. A folder that does not exist is left out, since pydantic-settings warns on every read.
    """
    folder = os.environ.get("ORGANISING_SECRETS_DIR", "/run/secrets")
    return folder if os.path.isdir(folder) else None


class OrganisingSettings(BaseSettings):
    """Base for each service's settings; a service adds its own port, database and knobs."""

    model_config = SettingsConfigDict(env_prefix="ORGANISING_", extra="ignore", populate_by_name=True, secrets_dir=secrets_dir())

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "ORGANISING_KAFKA_BOOTSTRAP_SERVERS"),
    )
    # repr=False: with a user and password set, the URL holds the password (see below).
    mongodb_url: str = Field(
        default="mongodb://127.0.0.1:27017/?directConnection=true",
        validation_alias=AliasChoices("MONGODB_URL", "ORGANISING_MONGODB_URL"),
        repr=False,
    )
    mongodb_username: str | None = Field(
        default=None, description="ORGANISING_MONGODB_USERNAME: the service's own MongoDB user (compose); unset connects without one"
    )
    mongodb_password: SecretStr | None = Field(
        default=None, description="ORGANISING_MONGODB_PASSWORD, or the secret file organising_mongodb_password"
    )
    admin_token: SecretStr | None = Field(default=None, description="ORGANISING_ADMIN_TOKEN: a bearer token with the admin role")
    federations: Annotated[tuple[str, ...], NoDecode] = Field(
        default=DEFAULT_FEDERATIONS, description="ORGANISING_FEDERATIONS: comma-separated federation codes"
    )
    confederation: str = Field(default="KSPI", description="Code the confederation itself publishes under")
    programmes: tuple[Programme, ...] = Field(
        default=DEFAULT_PROGRAMMES,
        description="ORGANISING_PROGRAMMES: a JSON list of programmes (code, name, partners, period, federations, sectors)",
    )
    auth_database: str = "organising_auth"
    topic_partitions: int = Field(default=6, ge=1)
    topic_replication_factor: int = Field(default=1, ge=1)
    topic_prefix: str = Field(default="", description="Namespace for tests or staging; empty in production")
    http_host: str = "127.0.0.1"
    projection_stalled_after_seconds: float = Field(
        default=60.0, gt=0, description="A projection whose oldest waiting batch is older than this is reported not ready"
    )

    @field_validator("federations", mode="before")
    @classmethod
    def _split_codes(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(code.strip() for code in value.split(",") if code.strip())
        return value

    @field_validator("federations")
    @classmethod
    def _valid_codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        # The operator's own configuration, not submitted data: naming the code helps and leaks nothing.
        problems = [f"{code!r}: {problem}" for code in codes if (problem := federation_code_problem(code))]
        if problems:
            raise ValueError("; ".join(problems))
        return codes

    @field_validator("programmes")
    @classmethod
    def _distinct_programmes(cls, programmes: tuple[Programme, ...]) -> tuple[Programme, ...]:
        codes = [programme.code for programme in programmes]
        if len(set(codes)) != len(codes):
            raise ValueError("programme codes must be distinct")
        return programmes

    @property
    def programme_codes(self) -> frozenset[str]:
        return frozenset(programme.code for programme in self.programmes)

    @model_validator(mode="after")
    def _credentials_into_url(self) -> Self:
        """The user and password go into `mongodb_url`, where every client of the store reads them.

        Kept apart in the settings so that the URL (hosts, replica set) stays in the environment and
        only the password is a secret file. The user is looked up in `admin` unless the URL names
        an `authSource`, which is where compose's MongoDB creates the services' users.
        """
        if (self.mongodb_username is None) != (self.mongodb_password is None):
            raise ValueError("ORGANISING_MONGODB_USERNAME and the MongoDB password are set together or not at all")
        if self.mongodb_username is None or self.mongodb_password is None:
            return self
        self.mongodb_url = url_with_credentials(self.mongodb_url, self.mongodb_username, self.mongodb_password.get_secret_value())
        return self

    @property
    def topics(self) -> Topics:
        return Topics.with_prefix(self.topic_prefix)

    @property
    def publishers(self) -> frozenset[str]:
        """Codes accepted as an envelope's `federation`: the federations and the confederation."""
        return frozenset(self.federations) | {self.confederation}


def url_with_credentials(url: str, username: str, password: str) -> str:
    """`url` with `username:password@` (percent-encoded) and `authSource=admin` unless it names one."""
    scheme, separator, rest = url.partition("://")
    if not separator or not scheme.startswith("mongodb"):
        raise ValueError("MONGODB_URL must begin with mongodb:// or mongodb+srv://")
    if "@" in rest.split("/", 1)[0]:
        # Two places for one credential: which one counts would be a guess.
        raise ValueError("MONGODB_URL already names a user; give the credentials either there or in the MongoDB user and password settings")
    credentials = f"{quote_plus(username)}:{quote_plus(password)}@"
    options = dict(parse_qsl(urlsplit(url).query))
    url = f"{scheme}://{credentials}{rest}"
    if "authSource" in options:
        return url
    if "?" in url:
        return url + ("" if url.endswith(("?", "&")) else "&") + "authSource=admin"
    return url + ("" if "/" in rest else "/") + "?authSource=admin"
