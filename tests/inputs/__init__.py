"""Tests of registry/inputs/ (or api/inputs/)."""
