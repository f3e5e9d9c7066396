"""Tests of the node's peer transport."""
