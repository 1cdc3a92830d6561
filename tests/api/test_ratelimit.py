"""The failed-authentication table of api.ratelimit on its own (the HTTP behaviour is
tested in tests/security/test_tokens_hostile.py)."""

from __future__ import annotations

import threading

import pytest

from api.ratelimit import FailedAuthLimiter, client_key


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),  # IPv4 through a dual-stack socket
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),  # one host, one /64
        ("2001:db8:1:2::ffff", "2001:db8:1:2::/64"),
        # One address in another spelling was counted apart (a probe, behind a proxy).
        ("010.009.009.009", "10.9.9.9"),
        ("999.1.1.1", "999.1.1.1"),  # no address: kept as it is
        ("testclient", "testclient"),
        (None, "unknown"),
        ("", "unknown"),
    ],
)
def test_client_key(host: str | None, key: str) -> None:
    assert client_key(host) == key


def test_each_client_has_its_own_count() -> None:
    limiter = FailedAuthLimiter(2, 10.0, clock=lambda: 5.0)
    limiter.failed("a")
    limiter.failed("a")
    limiter.failed("b")
    assert limiter.retry_after("a") == 10
    assert limiter.retry_after("b") is None and limiter.retry_after("c") is None


def test_ended_windows_are_dropped_before_live_ones() -> None:
    now = [0.0]
    limiter = FailedAuthLimiter(1, 10.0, max_clients=3, clock=lambda: now[0])
    for key in ("old1", "old2"):
        limiter.failed(key)
    now[0] = 20.0
    limiter.failed("new")
    assert len(limiter) == 1  # the two ended windows went at once


def test_counting_is_safe_across_threads() -> None:
    limiter = FailedAuthLimiter(1000, 60.0, clock=lambda: 0.0)

    def fail() -> None:
        for _ in range(250):
            limiter.failed("same")

    threads = [threading.Thread(target=fail) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert limiter.retry_after("same") == 60  # all 1,000 failures were counted
