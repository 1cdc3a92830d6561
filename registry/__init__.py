"""smartcity-registry: the metadata registry of a city's smart-city standard system."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("smartcity-registry")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
