"""Analytic queueing formulas (Erlang B, C and A) that the simulator is validated against and staffing starts from."""
