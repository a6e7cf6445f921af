"""Independent random streams, one per purpose and channel, from one seed.

Every source of randomness (arrivals of each channel, handle times, patience,
customers, behaviour) draws from its own ``numpy.random.Generator``, made
from ``SeedSequence(seed)`` with a spawn key derived from the purpose and the
channel *name*. So two policies run on the same seed see exactly the same
arrivals and customers (common random numbers), and adding a channel does not
change the draws of the others.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["Streams", "replication_seeds"]


def _key(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


class Streams:
    """Factory of independent generators for one run seed."""

    def __init__(self, seed: int):
        self.seed = int(seed)

    def get(self, purpose: str, name: str = "") -> np.random.Generator:
        """The generator for ``purpose`` (e.g. ``'arrivals'``) of ``name`` (e.g. a channel)."""
        seq = np.random.SeedSequence(self.seed, spawn_key=(_key(purpose), _key(name)))
        return np.random.Generator(np.random.PCG64(seq))


def replication_seeds(seed: int, count: int) -> list[int]:
    """Run seeds of ``count`` independent replications spawned from a scenario seed.

    Replication ``i`` always gets the same seed, however many replications are
    asked for, so a result can be extended or reproduced one replication at a time.
    """
    children = np.random.SeedSequence(int(seed)).spawn(count)
    return [int(c.generate_state(1, np.uint64)[0] >> 1) for c in children]
