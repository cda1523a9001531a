"""Benchmarks: scripts that print speeds and ratios measured in one run (never thresholds in tests)."""
