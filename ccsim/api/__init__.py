"""The public API behind `import ccsim` (re-exported there)."""
