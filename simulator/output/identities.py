"""Reproducible Faker identities (name and handle) for customers in the per-contact log.

Faker is slow per call, so a pool of identities is generated once per seed
and customers are mapped onto it; the handle carries the customer number, so
handles stay unique. Identities are made only when a log is written: the
engine never calls Faker.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["IdentityPool"]


class IdentityPool:
    """A fixed pool of fake names, reproducible from a seed."""

    def __init__(self, seed: int, size: int = 2048):
        from faker import Faker  # imported here: only the log writer needs it

        fake = Faker("en_GB")
        fake.seed_instance(seed)
        self.names = [fake.name() for _ in range(size)]
        self.bases = [re.sub(r"[^a-z]", "", n.lower())[:12] or "customer" for n in self.names]
        self.size = size

    def lookup(self, customers: np.ndarray) -> tuple[list[str], list[str]]:
        """Names and handles of the given customer numbers."""
        idx = (np.asarray(customers, dtype=np.int64) * 2654435761 % self.size).tolist()
        names = [self.names[i] for i in idx]
        handles = [f"@{self.bases[i]}{c}" for i, c in zip(idx, np.asarray(customers).tolist())]
        return names, handles
