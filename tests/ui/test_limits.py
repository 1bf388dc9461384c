"""Login rate limits on a fake clock: free failures, doubling locks, forgetting, bounded memory."""

from __future__ import annotations

from ui.limits import LoginLimiter, Policy


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_per_user_lock_doubles_after_the_free_failures() -> None:
    clock = Clock()
    limiter = LoginLimiter(per_user=Policy(free=3, base_s=2.0, max_s=60.0), clock=clock)
    waits = []
    for i in range(7):
        address = f"10.0.0.{i}"  # a new address each time: only the user's count applies
        assert limiter.wait("ana", address) == 0.0
        limiter.failed("ana", address)
        waits.append(limiter.wait("Ana", "10.9.9.9"))  # names compare case-insensitively
        clock.now += waits[-1]
    assert waits == [0.0, 0.0, 0.0, 2.0, 4.0, 8.0, 16.0]
    limiter.failed("ana", "10.0.0.8")
    limiter.failed("ana", "10.0.0.9")
    assert limiter.wait("ana", "10.0.0.10") == 60.0  # capped
    assert limiter.wait("bob", "10.0.0.10") == 0.0


def test_per_address_lock_covers_every_name_tried() -> None:
    clock = Clock()
    limiter = LoginLimiter(per_address=Policy(free=4, base_s=1.0), clock=clock)
    for i in range(5):
        limiter.failed(f"user{i}", "203.0.113.7")  # password spraying: one try per name
    assert limiter.wait("someone-else", "203.0.113.7") == 1.0
    clock.now += 0.5
    assert limiter.wait_whole_s("someone-else", "203.0.113.7") == 1  # rounded up
    assert limiter.wait("someone-else", "198.51.100.1") == 0.0


def test_success_clears_the_user_but_not_the_address() -> None:
    clock = Clock()
    limiter = LoginLimiter(
        per_user=Policy(free=2, base_s=5.0), per_address=Policy(free=2, base_s=7.0), clock=clock
    )
    for _ in range(3):
        limiter.failed("ana", "10.0.0.1")
    assert limiter.wait("ana", "10.0.0.2") == 5.0
    limiter.succeeded("ana")
    assert limiter.wait("ana", "10.0.0.2") == 0.0
    assert limiter.wait("bob", "10.0.0.1") == 7.0


def test_failures_are_forgotten_after_a_quiet_while() -> None:
    clock = Clock()
    limiter = LoginLimiter(per_user=Policy(free=1, base_s=1.0, forget_s=100.0), clock=clock)
    limiter.failed("ana", "a")
    limiter.failed("ana", "b")
    assert limiter.wait("ana", "c") == 1.0
    clock.now += 101
    assert limiter.wait("ana", "c") == 0.0
    limiter.failed("ana", "d")  # counts from zero again
    assert limiter.wait("ana", "e") == 0.0


def test_memory_is_bounded() -> None:
    limiter = LoginLimiter(max_keys=50, clock=Clock())
    for i in range(10_000):
        limiter.failed(f"user{i}", f"10.{i // 256 % 256}.{i % 256}.1")
    assert len(limiter) == 100  # 50 names and 50 addresses, the newest kept
    assert limiter.users.records.keys() >= {"user9999"}
