"""The `ccsim` command line."""

from ccsim.cli.app import app

__all__ = ["app"]
