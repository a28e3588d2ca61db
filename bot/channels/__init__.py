"""Channels: send one rendered alert somewhere (Slack, e-mail, console). No database access."""
