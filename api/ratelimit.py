"""Failed-authentication rate limiting, per client address, in this process.

Without it a client could try about 384 guessed tokens a second. Each client address
may fail `auth_max_failures` token checks within `auth_failure_window_seconds`,
counted from its first failure; from then until that window ends every attempt that
presents a token (bearer header, sign-in form, session cookie) is answered 429 with
`Retry-After`, before the token is even looked at, so a blocked guesser learns
nothing, not even from a right guess. When the window ends the count starts again.
Requests that succeed are never counted, and public reads present no token.

The table is a plain dict in this process: several API processes each count their
own (N processes allow N times the failures), and a restart forgets it. Its memory
is bounded: at most `MAX_CLIENTS` addresses, each a key and two numbers (about
230 bytes: a full table of 10,000 IPv6 /64s measured 2.3 MB with tracemalloc); when
full, the address whose window began first is forgotten (its window has most likely
ended anyway).

IPv6 clients are counted per /64: one host commonly holds a whole /64 and could
otherwise take a fresh address for every ten guesses.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from ipaddress import IPv6Address, ip_address, ip_network

#: Most client addresses remembered at once (the memory bound above).
MAX_CLIENTS = 10_000


def client_key(host: str | None) -> str:
    """The key a client address is counted under: the address itself, an IPv6
    address's /64, or "unknown" when the server does not know it."""
    if not host:
        return "unknown"
    try:
        address = ip_address(_without_leading_zeros(host))
    except ValueError:
        return host[:100]  # a name (a test client, a Unix socket): as it is, bounded
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)  # an IPv4 client of a dual-stack socket
        return str(ip_network(f"{address}/64", strict=False))
    return str(address)


_DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def _without_leading_zeros(host: str) -> str:
    """`010.009.009.009` as `10.9.9.9`: Python refuses leading zeros in an IPv4
    address, and the raw text was then a key of its own, so one address forwarded in
    two spellings (a proxy passes the client's X-Forwarded-For on) was counted twice."""
    if _DOTTED_QUAD.fullmatch(host):
        return ".".join(str(int(octet)) for octet in host.split("."))
    return host


class FailedAuthLimiter:
    """Counts failed token checks per client key; thread-safe (the dependency that
    checks tokens runs in the threadpool)."""

    def __init__(
        self,
        max_failures: int,
        window_seconds: float,
        *,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self.max_clients = max_clients
        self._clock = clock
        self._lock = threading.Lock()
        # key -> [start of its window, failures in it]; ordered by window start, so
        # the first entry is the one to forget when the table is full.
        self._failures: OrderedDict[str, list[float]] = OrderedDict()

    def retry_after(self, key: str) -> int | None:
        """Seconds `key` must wait before its next attempt, or None when it may try."""
        now = self._clock()
        with self._lock:
            entry = self._current(key, now)
            if entry is None or entry[1] < self.max_failures:
                return None
            # Whole seconds, rounded up: a client that waits exactly this long is let in.
            return max(1, math.ceil(entry[0] + self.window - now))

    def failed(self, key: str) -> None:
        """Count one failed token check by `key`."""
        now = self._clock()
        with self._lock:
            entry = self._current(key, now)
            if entry is not None:
                entry[1] += 1
                return
            # Windows that have ended sit at the front (ordered by start): drop them,
            # then the oldest live ones if the table is still full.
            while self._failures:
                start = next(iter(self._failures.values()))[0]
                if now - start < self.window and len(self._failures) < self.max_clients:
                    break
                self._failures.popitem(last=False)
            self._failures[key] = [now, 1]

    def __len__(self) -> int:
        return len(self._failures)

    def _current(self, key: str, now: float) -> list[float] | None:
        """The entry of `key` if its window is still open; a closed one is dropped."""
        entry = self._failures.get(key)
        if entry is not None and now - entry[0] >= self.window:
            del self._failures[key]
            return None
        return entry


class RequestRateLimiter(FailedAuthLimiter):
    """The same fixed-window count per client key, of requests rather than failures:
    validations without a token (`validate_rate_per_minute`), so that one client cannot
    keep the upload readers and the validator busy however small each request is."""

    def counted(self, key: str) -> None:
        """Count one request by `key`."""
        self.failed(key)


class ClientSlots:
    """How many requests (or queued jobs) of each client key are in progress, with a
    cap per key: anonymous validations, one at a time per address by default. Memory
    is bounded by the work in progress: a key leaves the table when its count is 0."""

    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self._lock = threading.Lock()
        self._busy: dict[str, int] = {}

    def take(self, key: str) -> Callable[[], None] | None:
        """A slot for `key` and the function that gives it back (idempotent), or None
        when `key` already holds its share."""
        with self._lock:
            if self._busy.get(key, 0) >= self.per_client:
                return None
            self._busy[key] = self._busy.get(key, 0) + 1
        given_back = threading.Event()

        def give_back() -> None:
            if given_back.is_set():
                return
            given_back.set()
            with self._lock:
                left = self._busy.get(key, 1) - 1
                if left > 0:
                    self._busy[key] = left
                else:
                    self._busy.pop(key, None)

        return give_back

    def __len__(self) -> int:
        return len(self._busy)
