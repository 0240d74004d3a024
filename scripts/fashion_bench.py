#!/usr/bin/env python
"""Issue 7's benchmark on the full Fashion-MNIST (CNN, reference hyper-parameters, seed 0), as it was run for the README:
`laf bench` for class removal with the reference design, then data and noisy-label removal without it. Both calls share a
fresh model folder (deleted afterwards), so data removal loads class removal's Original (the same model: same D,
labels and seed; its recorded training time is reported) instead of training it again; every other model is trained
and timed in this run.

usage: python scripts/fashion_bench.py [--out results/performance/bench_fashion.csv] [--threads 2]
takes about 1 h 45 min on an idle 2-core CPU; keep the machine otherwise idle (the ratios compare stages run one after
the other)."""
import argparse, os, shutil, tempfile
from pathlib import Path


def main(out, threads):
    import torch
    torch.set_num_threads(threads)
    import pandas as pd
    from laf_nb.bench import bench, print_bench
    from laf_nb.train import atomic_write
    models = tempfile.mkdtemp(prefix='laf_bench_models_')
    try:
        parts = [bench('fashion', ('class',), reference=True, cache_dir=models)]
        parts.append(bench('fashion', ('data', 'noisy'), reference=False, cache_dir=models))
    finally: shutil.rmtree(models, ignore_errors=True)
    df = pd.concat(parts, ignore_index=True)
    atomic_write(out, lambda tmp: df.to_csv(tmp, index=False))
    print_bench(df)
    print(f"\nwritten: {out}")


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', default=str(Path(__file__).resolve().parents[1] / 'results' / 'performance' / 'bench_fashion.csv'))
    p.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    a = p.parse_args()
    main(a.out, a.threads)
