"""The bank's systems as LangChain tools over a per-episode bank state."""
