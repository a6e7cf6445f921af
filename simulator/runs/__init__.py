"""One run and many: simulate, tasks, executors, the finished-task store, replications, comparisons and sweeps."""
