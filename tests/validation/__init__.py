"""Tests of registry/validation/ (or api/validation/)."""
