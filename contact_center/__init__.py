"""Core of the contact-center simulator: models, taxonomy, episode runner, run folder, CLI."""
