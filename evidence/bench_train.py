#!/usr/bin/env python
"""Time one training epoch of the paper's CNN on Fashion-MNIST three ways, side by side in one run:

- `fit`: laf_nb's training loop (progress bar and bookkeeping included);
- `bare`: a minimal in-memory loop (the floor: gather, convert, forward, backward, step);
- `dataloader`: a torchvision-style `Dataset` with a per-item `ToTensor` and a `DataLoader` (num_workers=1),
  as the paper's code feeds its models.

After an untimed warm-up of each, each is run `--reps` times in interleaved order and the fastest epoch is kept
(machines are noisy).

With `--base DIR`, the `fit` of another checkout of laf_nb (e.g. `git worktree add /tmp/base HEAD~3`) is timed in
the same run as a fourth way, `fit@base`, and the ratio of the two `fit`s is printed: a change's cost measured
side by side, not across runs.
Usage: python evidence/bench_train.py [--dataset fashion] [--n 60000] [--bs 32 256] [--reps 2] [--threads 2] [--base DIR]
"""
import argparse, importlib, importlib.util, os, sys, time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from laf_nb.data import load_dataset
from laf_nb.models import init_model
from laf_nb.train import fit


def bare_epoch(model, x, y, bs, seed):
    "The floor: an in-memory loop with nothing but the work itself."
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=1e-4)
    model.train()
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    for b in perm.split(bs):
        loss = F.cross_entropy(model(x[b].float().div_(255)), y[b])
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()


class ItemDataset(torch.utils.data.Dataset):
    "What the paper's code does: one PIL image and one `ToTensor` per item."
    def __init__(self, x, y):
        from torchvision import transforms
        self.x, self.y, self.tf = x[:, 0].numpy(), y.numpy(), transforms.ToTensor()
    def __len__(self): return len(self.x)
    def __getitem__(self, i):
        from PIL import Image
        return self.tf(Image.fromarray(self.x[i], mode='L')), int(self.y[i])


def dataloader_epoch(model, x, y, bs, seed):
    dl = torch.utils.data.DataLoader(ItemDataset(x, y), batch_size=bs, shuffle=True, num_workers=1,
                                     generator=torch.Generator().manual_seed(seed))
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=1e-4)
    model.train()
    for xb, yb in dl:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()


def fit_epoch(model, x, y, bs, seed): fit(model, x, y, epochs=1, bs=bs, seed=seed, device='cpu')  # progress bar on


WAYS = {'fit': fit_epoch, 'bare': bare_epoch, 'dataloader': dataloader_epoch}


def base_fit(path):
    "The `fit` of the laf_nb checkout at `path`, imported beside this one as the package `laf_nb_base`."
    pkg = Path(path) / 'laf_nb'
    spec = importlib.util.spec_from_file_location('laf_nb_base', pkg / '__init__.py', submodule_search_locations=[str(pkg)])
    sys.modules['laf_nb_base'] = mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    fit_base = importlib.import_module('laf_nb_base.train').fit
    return lambda model, x, y, bs, seed: fit_base(model, x, y, epochs=1, bs=bs, seed=seed, device='cpu')


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--dataset', default='fashion'); p.add_argument('--n', type=int, default=None)
    p.add_argument('--bs', type=int, nargs='+', default=[32, 256]); p.add_argument('--reps', type=int, default=2)
    p.add_argument('--threads', type=int, default=os.cpu_count())
    p.add_argument('--base', default=None, help="another laf_nb checkout whose `fit` is timed beside this one's")
    a = p.parse_args()
    if a.base: WAYS['fit@base'] = base_fit(a.base)
    torch.set_num_threads(a.threads)
    ds = load_dataset(a.dataset)
    x, y = ds.x_train[:a.n], ds.y_train[:a.n]
    print(f"{ds.name}: {len(x):,} images, torch {torch.__version__}, {torch.get_num_threads()} threads")
    for k, run in WAYS.items(): run(init_model('cnn', seed=0), x[:512], y[:512], 32, seed=0)  # warm-up, untimed
    for bs in a.bs:
        times = {k: [] for k in WAYS}
        for r in range(a.reps):
            for k, run in (WAYS.items() if r % 2 == 0 else reversed(list(WAYS.items()))):
                model = init_model('cnn', seed=0)
                t = time.perf_counter(); run(model, x, y, bs, seed=r); times[k].append(time.perf_counter() - t)
        best = {k: min(v) for k, v in times.items()}
        steps = -(-len(x) // bs)
        print(f"\nbatch {bs} ({steps} steps/epoch), best of {a.reps}:")
        for k, t in best.items(): print(f"  {k:<11} {t:7.2f} s/epoch  {1e3 * t / steps:6.2f} ms/step")
        print(f"  fit / bare        = {best['fit'] / best['bare']:.3f}  (target <= 1.10)")
        print(f"  dataloader / fit  = {best['dataloader'] / best['fit']:.3f}  (target >= 1.00)")
        if 'fit@base' in best: print(f"  fit / fit@base    = {best['fit'] / best['fit@base']:.3f}  (this checkout against --base)")


if __name__ == '__main__': main()
