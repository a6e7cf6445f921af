"""The CI gate: threshold rules judged on confidence intervals, regressions against a baseline, JUnit XML."""
