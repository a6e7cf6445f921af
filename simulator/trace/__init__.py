"""Contact traces: reading them (twcs, generic CSV, counts per interval), describing them, replaying them.

An input layer: it sees the scenario model and utilities only; fitting and
calibration (:mod:`carebench.calibrate`) build on it.
"""

from carebench.trace.readers import parse_columns, parse_where, read_trace
from carebench.trace.records import CountTrace, Trace
from carebench.trace.replay import Replay, arrival_times, replay_scenario
from carebench.trace.summary import summarise, summary_lines

__all__ = ["Trace", "CountTrace", "read_trace", "parse_columns", "parse_where", "summarise", "summary_lines",
           "replay_scenario", "arrival_times", "Replay"]
