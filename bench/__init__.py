"""The benchmark: synthetic plans and observations, and timings as ratios to their floor in the same run."""
