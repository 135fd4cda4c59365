"""Wait for something CloudFormation does asynchronously: one polling loop with backoff for all of them.

Used for change-set creation (plan.py), stack execution and deletion (execute.py, status.py). `sleep`
is a parameter so tests run without waiting; the local emulator answers at once anyway.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from ..errors import DeployError

T = TypeVar("T")


def poll(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    *,
    still: Callable[[T], str],
    timeout: float,
    delay: float = 0.5,
    factor: float = 1.5,
    max_delay: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call `fetch` until `done(value)`, then return that value. Between calls sleep `delay` seconds,
    growing by `factor` up to `max_delay`. Past `timeout` seconds of sleeping, raise DeployError
    "<still(value)> after <timeout>s" (e.g. "stack shop-dev still UPDATE_IN_PROGRESS after 10800s")."""
    waited = 0.0
    while True:
        value = fetch()
        if done(value):
            return value
        if waited > timeout:
            raise DeployError(f"{still(value)} after {timeout:.0f}s")
        sleep(delay)
        waited += delay
        delay = min(delay * factor, max_delay)
