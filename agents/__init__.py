"""The LangGraph contact center: planner, helper agents, customer simulators, policies."""
