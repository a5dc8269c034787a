"""`import ccsim` and `ccsim --help` stay light: heavy libraries load only in the command that needs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import get_args

from ccsim.cli.common import SplitName
from ccsim.contact_center.models import Split

HEAVY = ("art", "litellm", "weave", "langchain_openai", "openai", "torch")


def _loaded_after(code: str, cwd: Path) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(m for m in sys.modules if '.' not in m)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_ccsim_loads_no_heavy_library(tmp_path: Path) -> None:
    # From another directory, so the installed package is what loads, not the checkout's folders.
    loaded = _loaded_after("import ccsim", tmp_path)
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_a_simulation_without_a_folder_needs_no_art_or_weave(tmp_path: Path) -> None:
    loaded = _loaded_after("import ccsim; ccsim.simulate(ccsim.generate_scenarios(4, seed=1))", tmp_path)
    assert not loaded & {"art", "litellm", "weave", "langchain_openai"}


def test_the_cli_module_loads_no_simulator_code(tmp_path: Path) -> None:
    loaded = _loaded_after("import ccsim.cli", tmp_path)
    assert not loaded & {*HEAVY, "langgraph", "langchain_core", "numpy", "faker"}


def test_scenarios_generate_loads_no_simulator_code(tmp_path: Path) -> None:
    # Issue 10: `ccsim scenarios generate` is start-up plus the generator; the simulator's libraries and asyncio
    # (only the paraphrase option needs it) stay out of that start-up.
    out = tmp_path / "s.jsonl"
    args = ["scenarios", "generate", "-n", "3", "-o", str(out)]
    code = f"from ccsim.cli import app\napp({args!r}, standalone_mode=False)"
    loaded = _loaded_after(code, tmp_path)
    assert out.exists()
    assert not loaded & {*HEAVY, "langgraph", "langchain_core", "numpy", "asyncio"}


def test_the_clis_split_names_are_the_models_splits() -> None:
    assert set(get_args(SplitName)) == {s.value for s in Split}


def test_the_five_packages_are_importable_only_under_ccsim(tmp_path: Path) -> None:
    loaded = _loaded_after(
        "import importlib.util as u\nprint([n for n in ('agents', 'tools', 'scenarios', 'training', 'contact_center')"
        " if u.find_spec(n)])",
        tmp_path,
    )
    assert "[]" in loaded
