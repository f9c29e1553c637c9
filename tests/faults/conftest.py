"""Fixtures of the fault suite: the services as processes in the test's namespace, stopped at the
end whatever happened (their logs stay in the test's tmp_path)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from organising_shared.settings import OrganisingSettings
from tests.faults.services import ServiceProcess, service_env


def launcher(settings: OrganisingSettings, namespace: str, log_dir) -> tuple[Callable[..., ServiceProcess], list[ServiceProcess]]:
    made: list[ServiceProcess] = []

    def make(service: str, **extra_env: str) -> ServiceProcess:
        process = ServiceProcess(service, service_env(settings, namespace, service, **extra_env), log_dir)
        made.append(process)
        return process

    return make, made


@pytest.fixture
def service(isolated_settings, namespace, tmp_path) -> Iterator[Callable[..., ServiceProcess]]:
    """`service("reporting")`: a service process (not started) on the session's broker and store."""
    make, made = launcher(isolated_settings, namespace, tmp_path)
    yield make
    for process in made:
        process.stop()
