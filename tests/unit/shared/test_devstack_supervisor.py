"""The launcher's restart rules, on a fake clock and stand-in processes: back-off doubling to its
ceiling, a bounded number of restarts per window, and each step said in the launcher's log."""

from __future__ import annotations

from dataclasses import dataclass

from organising_shared.devstack.supervisor import RestartPolicy, SupervisedService


@dataclass
class FakeProcess:
    pid: int
    returncode: int | None = None

    def poll(self) -> int | None:
        return self.returncode


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def supervised(policy: RestartPolicy) -> tuple[SupervisedService, list[FakeProcess], list[str], Clock]:
    started: list[FakeProcess] = []
    said: list[str] = []
    clock = Clock()

    def start() -> FakeProcess:
        started.append(FakeProcess(pid=100 + len(started)))
        return started[-1]

    service = SupervisedService("reporting", start=start, policy=policy, say=said.append, clock=clock)  # type: ignore[arg-type]
    service.launch()
    return service, started, said, clock


def kill(process: FakeProcess) -> None:
    process.returncode = -9


def test_the_delay_doubles_from_the_first_up_to_the_ceiling():
    policy = RestartPolicy(first_delay=1.0, max_delay=30.0)
    assert [policy.delay(n) for n in range(7)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_killed_service_is_started_again_after_the_back_off_and_said_so():
    service, started, said, clock = supervised(RestartPolicy(first_delay=1.0))
    service.check()
    assert len(started) == 1 and said == []  # running: nothing to do

    kill(started[0])
    service.check()
    assert len(started) == 1, "restarted before its back-off"
    assert "reporting exited with code -9; restarting in 1.0 s" in said[-1]
    clock.now += 0.9
    service.check()
    assert len(started) == 1
    clock.now += 0.1
    service.check()
    assert len(started) == 2 and service.process is started[1]
    assert said[-1] == "reporting restarted (pid 101)"
    service.check()
    assert said[-1] == "reporting is back (pid 101, healthy)"


def test_restarts_back_off_longer_each_time_within_the_window():
    service, started, _, clock = supervised(RestartPolicy(max_restarts=10, window_seconds=300, first_delay=1.0))
    waits = []
    for _ in range(4):
        kill(started[-1])
        service.check()
        before, count = clock.now, len(started)
        while len(started) == count:
            clock.now += 0.5
            service.check()
        waits.append(clock.now - before)
    assert waits == [1.0, 2.0, 4.0, 8.0]


def test_past_the_bound_within_the_window_it_gives_up():
    service, started, said, clock = supervised(RestartPolicy(max_restarts=2, window_seconds=60, first_delay=1.0))
    for _ in range(2):
        kill(started[-1])
        service.check()
        clock.now += 10
        service.check()
    assert len(started) == 3
    kill(started[-1])
    service.check()
    assert service.given_up
    assert "after 2 restarts within 60 s; not restarting it again" in said[-1]
    clock.now += 1000
    service.check()
    assert len(started) == 3, "restarted after giving up"


def test_restarts_older_than_the_window_no_longer_count():
    service, started, said, clock = supervised(RestartPolicy(max_restarts=2, window_seconds=60, first_delay=1.0))
    for _ in range(2):
        kill(started[-1])
        service.check()
        clock.now += 10
        service.check()
    clock.now += 61  # both restarts have left the window
    kill(started[-1])
    service.check()
    assert not service.given_up
    assert "restarting in 1.0 s (restart 1 of at most 2" in said[-1]
