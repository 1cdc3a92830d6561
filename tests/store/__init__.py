"""Tests of registry/store/ (or api/store/)."""
