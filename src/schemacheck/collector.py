"""Keeping the cyclic garbage collector off what a run builds to keep.

A run holds millions of small objects (trees, models) until its end, and they hold no cycles.
Objects made by unpickling (cached models, batches from worker processes) are all kept, so a
collection during the unpickling finds nothing, yet each full one walks everything alive: with
the collector on, unpickling a worker's batch took four times as long.
"""

from __future__ import annotations

import gc
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def paused() -> Iterator[None]:
    """No collection inside; afterwards, what exists is frozen out of later collections."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
        gc.freeze()


def load_kept(raw: bytes) -> Any:
    """``pickle.loads`` of data the run keeps."""
    with paused():
        return pickle.loads(raw)
