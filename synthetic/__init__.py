"""Synthetic catalogues and registries of any size, for tests and benchmarks."""
