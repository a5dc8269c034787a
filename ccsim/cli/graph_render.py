"""`ccsim graph --png FILE`: the agent graph as a picture, with whatever renders offline here.

Tried in order: LangGraph's own `draw_png` (needs pygraphviz, which builds against Graphviz's C headers),
then Graphviz's `dot` program on DOT text made from the same graph (Debian: `apt-get install graphviz`).
LangGraph's `draw_mermaid_png` is never used: its default calls the mermaid.ink web service and its
Pyppeteer method loads Mermaid from a CDN, so neither works offline.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

NO_RENDERER = (
    "no offline renderer for --png: install Graphviz's `dot` (Debian/Ubuntu: apt-get install graphviz; "
    "macOS: brew install graphviz) or pygraphviz; `ccsim graph` without --png prints Mermaid text"
)


class NoRendererError(RuntimeError):
    """Neither pygraphviz nor the `dot` program is available."""


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot_source(drawable: Any) -> str:
    """DOT text for a LangGraph drawable graph (`compiled.get_graph()`); conditional edges are dashed."""
    lines = ["digraph ccsim {", "  rankdir=TB;", '  node [shape=box, style="rounded,filled", fillcolor="#eef3ff"];']
    for node_id, node in drawable.nodes.items():
        shape = ', shape=oval, fillcolor="#dddddd"' if node_id in ("__start__", "__end__") else ""
        lines.append(f"  {_quote(node_id)} [label={_quote(str(node.name).strip('_'))}{shape}];")
    for edge in drawable.edges:
        style = " [style=dashed]" if edge.conditional else ""
        lines.append(f"  {_quote(edge.source)} -> {_quote(edge.target)}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_png(drawable: Any) -> tuple[bytes, str]:
    """PNG bytes of the graph, and which renderer made them."""
    try:
        return drawable.draw_png(), "pygraphviz"
    except ImportError:
        pass
    dot = shutil.which("dot")
    if dot is None:
        raise NoRendererError(NO_RENDERER)
    done = subprocess.run([dot, "-Tpng"], input=dot_source(drawable).encode(), capture_output=True, timeout=60)
    if done.returncode != 0:
        raise NoRendererError(f"graphviz dot failed: {done.stderr.decode(errors='replace').strip()[:300]}")
    return done.stdout, f"graphviz dot ({dot})"
