"""When to sync next: a fixed interval after success, backoff with jitter after failure.

A queue never waits for a new local write to be retried (PowerSync's stuck
queues): after a failed cycle the next one is scheduled by backoff alone.
Pure logic, no threads: the desktop app drives it from a timer, ``branchdesk
sync --watch`` from a loop.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sync.client.transport import backoff_delay


@dataclass
class RetrySchedule:
    interval: float = 15 * 60.0  # seconds between successful syncs
    base: float = 30.0  # first retry after a failure, before jitter
    cap: float = 30 * 60.0
    failures: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_delay(self, succeeded: bool) -> float:
        """Seconds until the next attempt, after a cycle that did or did not succeed."""
        if succeeded:
            self.failures = 0
            return self.interval
        self.failures += 1
        # never zero: at least a few seconds, so a dead server is not hammered
        return max(5.0, backoff_delay(self.failures - 1, self.base, self.cap, self.rng))
