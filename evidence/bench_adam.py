#!/usr/bin/env python
"""Adam's three CPU implementations side by side on the two kinds of step laf_nb takes (`train_vae` uses `fused`):

- `cnn`: a training step of the paper's CNN (batch 32 of mnist5k), as in `fit` and LAF's extractor loop;
- `vae`: a step of the representation VAE (batch 32 of 256-d vectors), as in `train_vae` (one thread).

Each implementation runs `--steps` steps from the same initial weights and batches, `--reps` times in interleaved
order; the fastest run is kept (machines are noisy). Prints ms/step, the ratio to the per-tensor loop
(`foreach=False`, torch's default on the CPU) and the largest weight difference to it after the run: `foreach`
computes the same numbers, `fused` rounds differently (about 1e-7).
usage: python evidence/bench_adam.py [--steps 300] [--reps 3] [--threads 2]"""
import argparse, time

import torch
import torch.nn.functional as F

IMPLS = {'single': dict(foreach=False), 'foreach': dict(foreach=True), 'fused': dict(fused=True)}


def cnn_step(threads):
    from laf_nb.data import load_dataset
    from laf_nb.models import init_model
    ds = load_dataset('mnist5k'); x, y = ds.x_train.float().div(255), ds.y_train
    def setup():
        torch.set_num_threads(threads)
        m = init_model('cnn', seed=0, n_classes=10, in_channels=1).train()
        return m, lambda b: F.cross_entropy(m(x[b]), y[b]), len(x)
    return setup


def vae_step(threads):  # the VAE always fits with one thread, as `train_vae` does
    from laf_nb.vae import RepVAE, vae_loss
    e = torch.rand(6000, 256, generator=torch.Generator().manual_seed(0))
    def setup():
        torch.set_num_threads(1)
        torch.manual_seed(1); v = RepVAE(256, 8); g = torch.Generator().manual_seed(2)
        def loss(b):
            r, mu, lv = v(e[b], generator=g)
            return vae_loss(r, e[b], mu, lv)
        return v, loss, len(e)
    return setup


def run(setup, impl, steps, lr=1e-3):
    model, loss_fn, n = setup()
    opt = torch.optim.Adam(model.parameters(), lr=lr, **IMPLS[impl])
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(0))
    t = time.perf_counter()
    for i in range(steps):
        j = (i * 32) % (n - 32)
        loss = loss_fn(perm[j:j + 32]); opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    return time.perf_counter() - t, torch.cat([p.detach().flatten() for p in model.parameters()])


def main(steps, reps, threads):
    for name, make in (('cnn', cnn_step), ('vae', vae_step)):
        setup = make(threads)
        res = {k: [] for k in IMPLS}
        for _ in range(reps):
            for k in IMPLS: res[k].append(run(setup, k, steps))
        best = {k: min(t for t, _ in v) for k, v in res.items()}
        for k, v in res.items():
            dw = (v[0][1] - res['single'][0][1]).abs().max().item()
            print(f"{name:4s} {k:8s} {best[k] / steps * 1e3:7.3f} ms/step   {best[k] / best['single']:.2f} x single   max|dw| {dw:.1e}")


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--steps', type=int, default=300)
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    main(a.steps, a.reps, a.threads)
