"""Episodes to ART trajectories, rewards, and planner training (ART and the built-in policy)."""
