#!/usr/bin/env python
"""The local engine against the ray engine, side by side in one run on this machine, as stored in
results/performance/engines.json and shown in the bench chapter.

1. A Fashion-MNIST class-removal grid (Original, Retrain, LAF, LAF+R x 2 seeds; the CNN with a shortened recipe,
   `--train_epochs` for Original and Retrain, `--laf_epochs` and `--vae_epochs` for LAF) with the local engine (one
   process, `--threads` torch threads) and with Ray (`--threads` workers x 1 thread each); each engine starts with
   an empty model cache and results folder, so both train everything. The records of the two must agree metric
   for metric only where the threads per unit agree (they do not here: 2 threads against 1), so the table prints
   both engines' Avg Gap side by side instead.
2. Ray's overhead per unit on tiny units: mnist5k, 1 epoch of everything, `--tiny_seeds` seeds x (Original, Retrain,
   LAF), local on 1 thread against Ray with 1 worker of 1 thread (the same work, one unit at a time), after Ray has
   started (its start-up is timed apart); the difference over the number of units is the overhead of a unit.

usage: python evidence/engine_bench.py [--train_epochs 3] [--laf_epochs 3] [--vae_epochs 3] [--threads 2]
       [--tiny_seeds 4] [--dataset fashion] [--out results/performance/engines.json]
needs Debian's dataset-fashion-mnist and Ray (pip install "laf_nb[ray]"); about 25 minutes on an idle 2-core CPU."""
import argparse, json, os, tempfile, time
from pathlib import Path


def timed(fn):
    t = time.perf_counter(); out = fn(); return out, time.perf_counter() - t


def fashion_grid(engine, threads, a, tmp):
    "Wall seconds and records of the Fashion grid on `engine` (a fresh cache and results folder)."
    import torch
    from laf_nb.experiments import Experiment
    laf = dict(epochs=a.laf_epochs, vae_epochs=a.vae_epochs, min_flips=None)
    exp = Experiment(dataset=a.dataset, task='class', seeds=2, methods=('original', 'retrain', 'laf', 'laf+r'), tsne=False,
                     train=dict(epochs=a.train_epochs), method_config={'laf': laf, 'laf+r': laf},
                     out=f'{tmp}/{engine}/out', cache_dir=f'{tmp}/{engine}/cache', device='cpu')
    exp.data()  # loaded before the clock starts, on both engines
    if engine == 'local':
        torch.set_num_threads(threads)
        return timed(lambda: exp.run(quiet=True))
    return timed(lambda: exp.run(quiet=True, engine='ray', cpus_per_job=1))


def tiny_grid(engine, a, tmp):
    "Wall seconds of the tiny mnist5k grid on `engine`, one unit at a time."
    import torch
    from laf_nb.experiments import Experiment
    laf = dict(epochs=1, vae_epochs=1, min_flips=None)
    exp = Experiment(dataset='mnist5k', task='class', seeds=a.tiny_seeds, methods=('original', 'retrain', 'laf'), tsne=False,
                     train=dict(epochs=1), method_config={'laf': laf}, attacks=(), out=f'{tmp}/tiny-{engine}/out',
                     cache_dir=f'{tmp}/tiny-{engine}/cache', device='cpu')
    exp.data()
    torch.set_num_threads(1)
    if engine == 'local': return timed(lambda: exp.run(quiet=True))
    return timed(lambda: exp.run(quiet=True, engine='ray', cpus_per_job=1))


def main(a):
    import ray
    from laf_nb.engines import RayEngine
    from laf_nb.experiments import results_frame
    res = dict(args=vars(a), cpus=os.cpu_count())
    with tempfile.TemporaryDirectory(prefix='engine_bench_') as tmp:
        # 1. the Fashion grid
        recs_l, res['fashion_local_s'] = fashion_grid('local', a.threads, a, tmp)
        _, res['ray_start_s'] = timed(lambda: RayEngine(num_cpus=a.threads).start())
        recs_r, res['fashion_ray_s'] = fashion_grid('ray', a.threads, a, tmp)
        ray.shutdown()
        res['fashion_local_over_ray'] = res['fashion_local_s'] / res['fashion_ray_s']
        gaps = {}
        for name, recs in (('local', recs_l), ('ray', recs_r)):
            df = results_frame(recs)
            gaps[name] = df.groupby('method', sort=False)[['Test_f', 'Test_r', 'Avg Gap', 'time']].mean().round(2).to_dict('index')
        res['fashion_means'] = gaps
        # 2. the tiny units, one at a time
        _, res['tiny_local_s'] = tiny_grid('local', a, tmp)
        RayEngine(num_cpus=1).start()
        _, res['tiny_ray_s'] = tiny_grid('ray', a, tmp)
        ray.shutdown()
        res['tiny_tasks'] = a.tiny_seeds * (2 + 3)  # per seed: the Original and Retrain tasks, and 3 units
        res['ray_overhead_per_task_s'] = (res['tiny_ray_s'] - res['tiny_local_s']) / res['tiny_tasks']
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1) + '\n')
    print(f"{a.dataset} class removal, 4 methods x 2 seeds (train {a.train_epochs}, LAF {a.laf_epochs} + VAE {a.vae_epochs} epochs):")
    print(f"  local engine, 1 process x {a.threads} threads: {res['fashion_local_s']:.0f} s")
    print(f"  ray engine, {a.threads} workers x 1 thread:    {res['fashion_ray_s']:.0f} s  (Ray's start-up apart: {res['ray_start_s']:.1f} s)")
    print(f"  local / ray: {res['fashion_local_over_ray']:.2f}")
    for m in gaps['local']: print(f"  {m:8s} Avg Gap local {gaps['local'][m]['Avg Gap']:.2f}, ray {gaps['ray'][m]['Avg Gap']:.2f}")
    print(f"tiny units (mnist5k, 1 epoch; {res['tiny_tasks']} tasks, one at a time): local {res['tiny_local_s']:.1f} s, "
          f"ray {res['tiny_ray_s']:.1f} s: {res['ray_overhead_per_task_s']:.2f} s of overhead per task")
    print(f"written: {a.out}")


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--train_epochs', type=int, default=3)
    p.add_argument('--laf_epochs', type=int, default=3)
    p.add_argument('--vae_epochs', type=int, default=3)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--dataset', default='fashion')  # mnist5k: a quick check of this script
    p.add_argument('--tiny_seeds', type=int, default=4)
    p.add_argument('--out', default=str(Path(__file__).resolve().parents[1] / 'results' / 'performance' / 'engines.json'))
    main(p.parse_args())
