"""Run every notebook in `nbs/` through nbdev's own runner (one test per notebook, `slow` cells skipped),
and check that `laf_nb/` is what `nbdev_export` makes of the notebooks."""
import filecmp, os, shutil, subprocess, sys
from pathlib import Path

import pytest
import torch
from nbdev.config import get_config
from nbdev.test import test_nb as run_notebook

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted((ROOT / "nbs").glob("*.ipynb"))


@pytest.mark.parametrize("nb", NBS, ids=[p.stem for p in NBS])
def test_notebook(nb):
    "Every cell of `nb` runs without error (cells flagged with a `tst_flags` flag are skipped)."
    skip = get_config(path=ROOT).tst_flags.split()
    with torch.enable_grad():  # notebooks share this process: no grad mode leaks from one to the next
        ok, secs = run_notebook(nb, skip_flags=skip, showerr=True, basepath=ROOT)
    assert ok, f"{nb.name} failed (see the traceback above)"


def _py_files(d): return sorted(p.relative_to(d) for p in d.rglob("*.py"))


def test_library_in_sync(tmp_path):
    "`nbdev_export` of the notebooks reproduces `laf_nb/` exactly."
    for f in ["settings.ini", "setup.py"]: shutil.copy(ROOT / f, tmp_path / f)
    shutil.copytree(ROOT / "nbs", tmp_path / "nbs", ignore=shutil.ignore_patterns(".*"))
    exporter = Path(sys.executable).with_name("nbdev_export")
    env = {k: v for k, v in os.environ.items() if k != "IN_TEST"}  # nbdev_export does nothing under IN_TEST
    subprocess.run([str(exporter) if exporter.exists() else "nbdev_export"], cwd=tmp_path, env=env, check=True)
    ours, fresh = ROOT / "laf_nb", tmp_path / "laf_nb"
    assert _py_files(ours) == _py_files(fresh), "modules differ: run nbdev_export and commit"
    stale = [str(p) for p in _py_files(ours) if not filecmp.cmp(ours / p, fresh / p, shallow=False)]
    assert not stale, f"out of sync with the notebooks: {stale}; run nbdev_export and commit"
