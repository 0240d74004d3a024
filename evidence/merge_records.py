"""Merge the records of results folders SRC into DEST (e.g. a second job's, run with its own --root): every record
whose key DEST lacks is appended under DEST's lock, so DEST may be written by a running job meanwhile.

usage: python evidence/merge_records.py DEST SRC [SRC ...]"""
import argparse

def merge(dest, sources):
    "Append to `dest` the records of `sources` whose keys it lacks; returns how many were added."
    from laf_nb.experiments import add_records, load_records
    return add_records(dest, [r for src in sources for r in load_records(src)])

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('dest'); p.add_argument('sources', nargs='+')
    a = p.parse_args()
    print(f"{merge(a.dest, a.sources)} records added to {a.dest}")
