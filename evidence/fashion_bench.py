#!/usr/bin/env python
"""The side-by-side benchmark on the full Fashion-MNIST (CNN, reference hyper-parameters, seed 0), as stored in
results/performance/: `design_bench` (evidence/reference_design.py) for class removal with the reference design, then
data and noisy-label removal without it. Both calls share a fresh model folder (deleted afterwards), so data removal
loads class removal's Original (the same model: same D, labels and seed; its recorded training time is reported)
instead of training it again; every other model is trained and timed in this run.

usage: python evidence/fashion_bench.py [--out results/performance/bench_fashion.csv] [--threads 2]
                                        [--tasks class,data,noisy] [--no-reference] [--models DIR]
takes about 1 h 45 min on an idle 2-core CPU; keep the machine otherwise idle (the ratios compare stages run one after
the other).
  --tasks class --no-reference   class removal alone, without the reference design (LAF / Retrain only)
  --models DIR   a model folder to reuse instead of a fresh one: its cached models are loaded, not trained, and are
                 marked 'cached' with their recorded training time (put only the Original there to time Retrain);
                 this is how results/performance/bench_fashion_class.csv was made
                 (--tasks class --no-reference --models DIR --out results/performance/bench_fashion_class.csv)"""
import argparse, os, shutil, tempfile
from pathlib import Path


def main(out, threads, tasks=('class', 'data', 'noisy'), reference=True, models=None):
    import torch
    torch.set_num_threads(threads)
    import pandas as pd
    from reference_design import design_bench, print_design_bench  # beside this file
    from laf_nb.train import atomic_write
    fresh = models is None
    if fresh: models = tempfile.mkdtemp(prefix='laf_bench_models_')
    try:
        parts = [design_bench('fashion', ('class',), reference=reference, cache_dir=models)] if 'class' in tasks else []
        rest = tuple(t for t in tasks if t != 'class')
        if rest: parts.append(design_bench('fashion', rest, reference=False, cache_dir=models))
    finally:
        if fresh: shutil.rmtree(models, ignore_errors=True)
    df = pd.concat(parts, ignore_index=True)
    atomic_write(out, lambda tmp: df.to_csv(tmp, index=False))
    print_design_bench(df)
    print(f"\nwritten: {out}")


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', default=str(Path(__file__).resolve().parents[1] / 'results' / 'performance' / 'bench_fashion.csv'))
    p.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    p.add_argument('--tasks', default='class,data,noisy')
    p.add_argument('--no-reference', dest='reference', action='store_false')
    p.add_argument('--models', default=None)
    a = p.parse_args()
    tasks = tuple(a.tasks.split(','))
    from laf_nb.data import TASKS
    bad = [t for t in tasks if t not in TASKS]
    if bad: p.error(f"--tasks: unknown {bad}; allowed: {', '.join(TASKS)}")
    main(a.out, a.threads, tasks, a.reference, a.models)
