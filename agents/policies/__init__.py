"""Planner policies: the deterministic rules baseline and the LLM-backed planners."""
