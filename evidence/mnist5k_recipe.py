"""Which Original/Retrain recipe for the embedded mnist5k (used by `laf run`): validation accuracy on a held-out
fifth of mnist5k's training set (the test set is never used), per recipe and seed.
usage: python evidence/mnist5k_recipe.py [--seeds 0 1]"""
import argparse, time
import torch
from laf_nb.data import load_dataset
from laf_nb.models import init_model
from laf_nb.train import accuracy, fit

RECIPES = [(20, 1e-4), (10, 2e-4), (10, 1e-4)]  # (epochs, lr): the paper's, the shorter one, the shorter one at the paper's lr

def main(seeds=(0, 1)):
    ds = load_dataset('mnist5k')
    n = len(ds.y_train)
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(123))
    val, tr = perm[:n // 5], perm[n // 5:]
    print(f"train {len(tr)}, validation {len(val)} (held out of mnist5k's {n} training images)")
    for epochs, lr in RECIPES:
        for seed in seeds:
            m = init_model('cnn', seed=seed)
            t = time.perf_counter()
            fit(m, ds.x_train, ds.y_train, tr, epochs=epochs, lr=lr, seed=seed, quiet=True)
            print(f"epochs {epochs:2d}, lr {lr:g}, seed {seed}: train {accuracy(m, ds.x_train, ds.y_train, tr):.2f} %, "
                  f"validation {accuracy(m, ds.x_train, ds.y_train, val):.2f} %, {time.perf_counter() - t:.0f} s", flush=True)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    main(p.parse_args().seeds)
