"""Rate limits: a sliding window of recent attempts per key, in this process.

Each web worker keeps its own window, so with N workers a client gets up to N times the
limit; a reverse proxy's limit (docs/operations.md) covers a whole deployment.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from gcmhub.errors import TooManyRequests


class Window:
    """At most `most` events per key in any `seconds`-long window."""

    def __init__(self, seconds: float = 60.0):
        self.seconds = seconds
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str, most: int, what: str) -> None:
        """Count one event for a key, refusing it (429) when the key is over its limit."""
        moment = time.monotonic()
        with self._lock:
            events = self._events[key]
            while events and events[0] <= moment - self.seconds:
                events.popleft()
            if len(events) >= most:
                wait = int(events[0] + self.seconds - moment) + 1
                raise TooManyRequests(f"too many {what}; try again in {wait} s", wait)
            events.append(moment)

    def clear(self) -> None:
        """Forget every event (tests)."""
        with self._lock:
            self._events.clear()


LOGINS = Window()
WRITES = Window()
CONTRIBUTIONS = Window()  # posts to consultations, per person (GCMHUB_CONTRIBUTION_RATE)
MESSAGES = Window()  # messages between members, per person (GCMHUB_MESSAGE_RATE)
