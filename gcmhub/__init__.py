"""GCM Hub: the capacity-building mechanism of the Global Compact for Migration."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gcmhub")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
