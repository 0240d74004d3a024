"""Test-session settings shared by every test: small thread pools (two notebooks run at once on 2 cores), and `need`,
the one rule for what a test may ask of the system beyond `pip install -e ".[dev]"`.

Without Debian's `chromium` and `chromium-driver`, `tests/test_docs.py::test_docs_render_in_chromium` builds the site,
checks its list of pages and then skips; every other test, each notebook included, needs no system package (the
cells that read Debian's Fashion-MNIST, package `dataset-fashion-mnist`, are `#| slow` or run only where it is
installed). With `CI=true` (as `.ci/run` sets up the machine) a missing package fails the test instead of skipping it.
"""
import os
os.environ.setdefault("IN_TEST", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
import pytest
import torch
torch.set_num_threads(int(os.environ.get("LAF_TEST_THREADS", "1")))


def need(present, what, install):
    "Skip the calling test unless `present`, saying it needs `what` and how to `install` it; under `CI=true`, fail."
    if present: return
    msg = f"needs {what}: {install}"
    if os.environ.get("CI") == "true": pytest.fail(f"{msg} (CI=true: every test must run)")
    pytest.skip(msg)
