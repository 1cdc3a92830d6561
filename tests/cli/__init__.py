"""Tests of registry/cli/ (or api/cli/)."""
