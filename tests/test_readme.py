"README.md is generated from nbs/index.ipynb (scripts/make_readme.py) and must be kept in sync."
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _make_readme():
    spec = importlib.util.spec_from_file_location('make_readme', ROOT / 'scripts' / 'make_readme.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod


def test_readme_in_sync():
    assert (ROOT / 'README.md').read_text() == _make_readme().render(), \
        "README.md is stale: run `python scripts/make_readme.py` and commit"


def test_readme_quick_start():
    "The quick start holds the two commands: the main job and the tests (which install the dev extras first)."
    text = (ROOT / 'README.md').read_text()
    assert 'pip install -e ".[dev]" && pytest' in text
    assert 'pip install -e . && laf' in text
