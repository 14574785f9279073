"""Releases: Google Play publishing (service-account keys, edits, tracks, staged rollouts)."""
