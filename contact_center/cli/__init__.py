"""The `ccsim` command line."""

from contact_center.cli.app import app

__all__ = ["app"]
