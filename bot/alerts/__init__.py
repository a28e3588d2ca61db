"""Alerts: build from matches, dedup, snooze, resolve and route to targets (no HTTP)."""
