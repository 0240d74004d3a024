"""Merge the records of one results folder (the runner's, or 09's variants) from other folders into DEST (e.g. a second job's, run with its own
--root so that two jobs never write one folder): every record whose key DEST lacks is appended atomically, then DEST's
metrics figure (the runner's records only) is redrawn from all its records. Run it when no job is writing DEST.

usage: python scripts/merge_records.py DEST SRC [SRC ...]"""
import argparse

def merge(dest, sources):
    "Append to `dest` the records of `sources` whose keys it lacks; returns how many were added."
    from laf_nb.experiments import add_records, load_records
    return add_records(dest, [r for src in sources for r in load_records(src)])

def redraw_metrics(dest):
    "Redraw DEST/figures/metrics.png from every record in `dest`."
    import matplotlib; matplotlib.use('Agg')
    from pathlib import Path
    from laf_nb.experiments import _save_fig, load_records, plot_metrics, results_frame
    recs = load_records(dest)
    if recs and 'method' in recs[0]: _save_fig(plot_metrics(results_frame(recs), recs[0]['task']), Path(dest) / 'figures' / 'metrics.png')

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('dest'); p.add_argument('sources', nargs='+')
    a = p.parse_args()
    print(f"{merge(a.dest, a.sources)} records added to {a.dest}")
    redraw_metrics(a.dest)
