"""Tests of registry/sparql/ (or api/sparql/)."""
