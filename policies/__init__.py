"""Staffing and prioritisation policies for carebench, behind one small interface.

A priority policy decides which waiting contact an agent takes next; a
staffing policy decides how many agents of each pool are on duty when. Each
policy is one module here, registered by name in :mod:`carebench.policies.registry`.
"""

from carebench.engine.interface import (
    Action,
    Callout,
    ContactView,
    FirstReply,
    Kind,
    PolicyError,
    PoolStateView,
    PriorityPolicy,
    StaffingContext,
    StaffingPolicy,
    SystemView,
    Urgency,
)
from carebench.policies.registry import PRIORITY_POLICIES, STAFFING_POLICIES, describe_policies

__all__ = [
    "Action",
    "Kind",
    "Urgency",
    "PolicyError",
    "ContactView",
    "FirstReply",
    "PoolStateView",
    "PriorityPolicy",
    "StaffingContext",
    "StaffingPolicy",
    "Callout",
    "SystemView",
    "PRIORITY_POLICIES",
    "STAFFING_POLICIES",
    "describe_policies",
]
