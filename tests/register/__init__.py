"""Tests of registry/register/ (or api/register/)."""
