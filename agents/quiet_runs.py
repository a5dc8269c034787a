"""Whether a LangChain run would be seen by anyone: the test behind the rules planner's and the scripted
helpers' direct paths, which skip LangChain's run bookkeeping only when no callback handler or tracer
would receive it."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import AsyncCallbackManager
from langchain_core.runnables import RunnableConfig


def nothing_listens(config: RunnableConfig, runnable: Any) -> bool:
    """True when neither `config` nor `runnable` (its callbacks, verbose flag, tags and metadata) configures a
    handler: the same configuration LangChain's own `ainvoke` would build."""
    manager = AsyncCallbackManager.configure(
        config.get("callbacks"), runnable.callbacks, runnable.verbose, config.get("tags"), runnable.tags,
        config.get("metadata"), runnable.metadata,
    )  # fmt: skip
    return not manager.handlers and not manager.inheritable_handlers
