"""Chokepoint: risk alerts for critical-mineral supply chains."""

__version__ = "0.1.0"
