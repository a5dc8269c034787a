"""ccsim."""
