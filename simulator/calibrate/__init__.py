"""Fitting a scenario to a trace and calibrating a scenario until it behaves like the trace.

A feature layer beside studies and load tests: it reads traces
(:mod:`carebench.trace`) and runs scenarios through :mod:`carebench.runs`.
"""

from carebench.calibrate.distfit import DistFit, fit_distribution
from carebench.calibrate.fit import Fitted, fit_trace
from carebench.calibrate.free import FreeParameter, parse_free
from carebench.calibrate.profiles import ProfileFit, fit_profile
from carebench.calibrate.search import Calibration, calibrate, simulate_latency
from carebench.calibrate.target import SimulatedLatency, ks_distance

__all__ = ["fit_trace", "Fitted", "fit_profile", "ProfileFit", "fit_distribution", "DistFit", "calibrate",
           "Calibration", "simulate_latency", "parse_free", "FreeParameter", "SimulatedLatency", "ks_distance"]
