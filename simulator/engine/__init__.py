"""The pure simulation engine: arrivals, queues, pools, customer behaviour, recording and the policy interface.

Nothing here prints, touches files or reads the wall clock; policies plug in
through :mod:`carebench.engine.interface` only."""
