"""Tests of registry/read/ (or api/read/)."""
