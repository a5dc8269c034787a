"""The learning curve files: the CSV reads back what was written, and both files are written whole."""

from __future__ import annotations

import os
from pathlib import Path

from ccsim.training.learning_curve import CurvePoint, plot_curve, read_curve_csv, write_curve_csv

POINTS = [
    CurvePoint(step=0, episodes=0, elapsed_s=0.0, val_route_accuracy=0.125, val_reward=-0.2, phase="untrained"),
    CurvePoint(step=1, episodes=64, elapsed_s=1.5, train_reward=0.5, train_route_accuracy=0.75),
    CurvePoint(step=2, episodes=128, elapsed_s=3.0, train_reward=0.9, val_route_accuracy=0.9, val_reward=0.95),
]


def test_csv_round_trip_replaces_the_old_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "curve" / "learning_curve.csv"
    write_curve_csv(POINTS[:1], path)
    assert write_curve_csv(POINTS, path) == path
    assert read_curve_csv(path) == POINTS
    assert os.listdir(path.parent) == ["learning_curve.csv"]


def test_plot_writes_a_png(tmp_path: Path) -> None:
    path = plot_curve(POINTS, tmp_path / "learning_curve.png")
    assert path.read_bytes().startswith(b"\x89PNG\r\n")
    assert os.listdir(tmp_path) == ["learning_curve.png"]
