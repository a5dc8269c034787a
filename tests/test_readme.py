"""The README's library example runs as written (in a fresh process, from an empty directory)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_library_example_runs(tmp_path: Path) -> None:
    [example] = [b for b in re.findall(r"```python\n(.*?)```", README.read_text(), re.S) if "import ccsim" in b]
    done = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(r"rules: 200 episodes, route accuracy 0\.9\d\d", done.stdout), done.stdout
    assert "always-fraud" in done.stdout and (tmp_path / "runs/readme-compare/leaderboard.md").exists()
