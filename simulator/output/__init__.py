"""Everything that writes results: files, plots and text reports. The only layer that touches disk for a run's results."""
