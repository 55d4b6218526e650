"""Benchmarks (SPEC "Performance"): scripts run by hand, never by the test suite."""
