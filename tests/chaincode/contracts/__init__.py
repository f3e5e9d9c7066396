"""Tests of the built-in contracts."""
