"""LAF's presets on the runner's data-removal and noisy-label tasks (their default options): Original, Retrain, LAF and
LAF+R (p = 10 %), each preset into its own folder, ROOT/presets/<dataset>/<task>/<preset>/, so a schedule chosen for
class removal can be checked on the other two tasks. Resumable, like every runner folder.

usage: python evidence/preset_tasks.py [--dataset fashion] [--tasks data,noisy] [--preset settled] [--seeds 0,]
                                      [--threads 1] [--root results] [--engine local|ray [--address A]]
  --engine ray: both tasks' units at once on Ray, --threads threads per unit (chapter 09b_engines)"""
import argparse
from pathlib import Path

def main(dataset, tasks, preset, seeds, threads, root, engine='local', address=None):
    import torch
    torch.set_num_threads(threads)
    from laf_nb.cli import train_recipe
    from laf_nb.experiments import Experiment, results_table
    from laf_nb.laf import LAF_PRESETS
    from laf_nb.engines import run_experiments
    over = dict(LAF_PRESETS[preset])
    exps = [Experiment(dataset=dataset, task=task, seeds=seeds, train=train_recipe(dataset), tsne=False,
                       out=str(Path(root) / 'presets' / dataset / task / preset),
                       method_config={m: over for m in ('laf', 'laf+r')} if over else {}) for task in tasks]
    opts = dict(address=address, cpus_per_job=threads) if engine == 'ray' else {}
    run_experiments(exps, engine, quiet=True, **opts)
    for e in exps: print(results_table(e.out).to_string(), flush=True)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--dataset', default='fashion', choices=('mnist5k', 'fashion'))
    p.add_argument('--tasks', type=lambda s: [t for t in s.split(',') if t], default=['data', 'noisy'])
    p.add_argument('--preset', default='settled', choices=('reference', 'settled'))
    p.add_argument('--seeds', type=lambda s: [int(v) for v in s.split(',') if v], default=[0])
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--root', default='results')
    p.add_argument('--engine', default='local', choices=('local', 'ray'))
    p.add_argument('--address', default=None, help='with --engine ray: auto or ray://host:port (default: a local instance)')
    main(**vars(p.parse_args()))
