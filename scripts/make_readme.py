#!/usr/bin/env python
"""Write README.md from nbs/index.ipynb without Quarto (`nbdev_readme` needs Quarto).

Markdown cells are copied as they are; visible code cells become ```python blocks followed by their text
output; cells marked `#| hide` are left out and nbdev directives are dropped. `tests/test_readme.py` checks
that README.md is what this script makes. Usage: python scripts/make_readme.py [--check]
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIRECTIVE = re.compile(r'^#\|\s*(.*)$')


def _directives(src):
    return [m.group(1).strip() for m in map(DIRECTIVE.match, src.splitlines()) if m]


def _text_outputs(cell):
    out = []
    for o in cell.get('outputs', []):
        if o.get('output_type') == 'stream': out.append(''.join(o['text']))
        elif 'text/plain' in o.get('data', {}) and 'text/html' not in o.get('data', {}):
            out.append(''.join(o['data']['text/plain']) + '\n')
    return ''.join(out)


def render(nb_path=ROOT / 'nbs' / 'index.ipynb'):
    "The README text made from the index notebook."
    parts = []
    for cell in json.loads(Path(nb_path).read_text())['cells']:
        src = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown': parts.append(src.strip()); continue
        dirs = _directives(src)
        if any(d.startswith('hide') or d.startswith('default_exp') for d in dirs): continue
        code = '\n'.join(l for l in src.splitlines() if not DIRECTIVE.match(l)).strip()
        if code: parts.append(f'```python\n{code}\n```')
        out = _text_outputs(cell).rstrip()
        if out: parts.append(f'```\n{out}\n```')
    return '\n\n'.join(p for p in parts if p) + '\n'


if __name__ == '__main__':
    text, readme = render(), ROOT / 'README.md'
    if '--check' in sys.argv:
        sys.exit(0 if readme.exists() and readme.read_text() == text else 'README.md is stale: run python scripts/make_readme.py')
    readme.write_text(text)
