"""Mystery-shopper studies: the study file, probe plans, running brands, estimates and study planning."""
