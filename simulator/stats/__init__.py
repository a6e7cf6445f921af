"""Statistics over replications: confidence intervals, paired differences and sequential stopping."""
