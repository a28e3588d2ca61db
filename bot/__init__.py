"""Chokepoint: risk alerts for critical-mineral supply chains."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("chokepoint")  # one definition: pyproject.toml's [project] version
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
