"""Tests of registry/api/ (or api/api/)."""
