"""Median and maximum length (in lines) of the exported cells of each chapter.

usage: python scripts/cell_lengths.py [nbs]
"""
import json, re, statistics, sys
from pathlib import Path

EXPORT = re.compile(r'^#\|\s*export')

def exported_lengths(nb_path):
    "Line counts of the `#| export` cells of the notebook at `nb_path` (directive lines left out)."
    cells = json.loads(Path(nb_path).read_text())['cells']
    out = []
    for c in cells:
        if c['cell_type'] != 'code': continue
        lines = ''.join(c['source']).splitlines()
        if not any(EXPORT.match(l) for l in lines): continue
        out.append(sum(1 for l in lines if l.strip() and not l.startswith('#|')))
    return out

if __name__ == '__main__':
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else 'nbs')
    print(f"{'chapter':<22}{'cells':>6}{'median':>8}{'max':>6}")
    for nb in sorted(folder.glob('[0-9]*.ipynb')):
        n = exported_lengths(nb)
        if n: print(f"{nb.stem:<22}{len(n):>6}{statistics.median(n):>8.0f}{max(n):>6}")
