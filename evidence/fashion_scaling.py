#!/usr/bin/env python
"""LAF's time against |D_f| and against |D| on the full Fashion-MNIST (`laf_nb.bench.laf_scaling` with its defaults:
|D_f| from 500 to 18,000 of the 60,000 images, |D| from 10,000 to 60,000 with 10 % forgotten; one LAF epoch and one
VAE epoch per point, the CNN at its seeded initialisation), as stored in results/performance/scaling_fashion.csv.

usage: python evidence/fashion_scaling.py [--out results/performance/scaling_fashion.csv] [--threads 2] [--seed 0]
takes a few minutes on an idle 2-core CPU; keep the machine otherwise idle. The stored table was made by an earlier
form of `laf_scaling` that drew the nested subsets with another seeded generator: a new run forgets other images of
the same sizes (the times do not depend on which)."""
import argparse, os
from pathlib import Path


def main(out, threads, seed=0):
    import torch
    torch.set_num_threads(threads)
    from laf_nb.bench import laf_scaling, scaling_slopes
    from laf_nb.train import atomic_write
    df = laf_scaling('fashion', seed=seed, epochs=1, vae_epochs=1)
    atomic_write(out, lambda tmp: df.to_csv(tmp, index=False))
    print(df.round(2).to_string())
    print("\nlog-log slopes:"); print(scaling_slopes(df).round(2).to_string())
    print(f"\nwritten: {out}")


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', default=str(Path(__file__).resolve().parents[1] / 'results' / 'performance' / 'scaling_fashion.csv'))
    p.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()
    main(a.out, a.threads, a.seed)
