"""Workflows on Temporal (team mode): the same definitions through one generic Temporal workflow."""
