"""Benchmark scripts and data generators (run by hand; results in docs/benchmarks.md)."""
