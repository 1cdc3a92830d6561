"""Tests of registry/graphs/ (or api/graphs/)."""
