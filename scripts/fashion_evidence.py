"""Paper-scale evidence on the full Fashion-MNIST, resumable: the three tasks x 3 seeds, written to results/fashion/<task>
as the slow cells of chapters 07 and 08 write them (same record keys, so the notebooks find the records).
Each (method, seed) record is appended atomically as soon as it is done, so the job can be stopped and rerun at will,
and the records committed as they complete.

usage: python scripts/fashion_evidence.py [--tasks class,data,noisy] [--methods laf] [--seeds 3] [--threads 2] [--out DIR]
  --seeds 3            seeds 0, 1, 2; a list such as --seeds 2, runs seed 2 alone, e.g. beside another job
                       (two jobs must not share a task's folder: give one its own --out and copy its records over)
  --methods laf        Original, Retrain, LAF, LAF+R with p = 10 % (chapter 07's slow cell, issue 4's table)
  --methods all        every method with p = 1, the baselines' hyper-parameters chosen on a validation split of
                       Fashion's class-removal training data (chapter 08's slow cell, issue 5's table; much longer)"""
import argparse, os
from pathlib import Path

LAF_METHODS = ('original', 'retrain', 'laf', 'laf+r')

def seeds_arg(s):
    "`3` means seeds 0, 1, 2; `2,` or `1,2` is a list of seeds."
    try: return [int(v) for v in s.split(',') if v] if ',' in s else int(s)
    except ValueError: raise argparse.ArgumentTypeError(f"--seeds={s!r} must be a number or a comma-separated list of ints") from None

def main(tasks, methods, seeds, threads, out):
    import torch
    torch.set_num_threads(threads)
    from laf_nb.data import load_dataset, make_split
    from laf_nb.experiments import METHODS, Experiment, results_table, train_original
    from laf_nb.baselines import VALIDATION_GRIDS, choose_on_validation
    if methods == 'laf': kw = dict(methods=LAF_METHODS, tsne=True)
    else:
        ds = load_dataset('fashion'); split = make_split(ds.y_train, 'class', seed=0)
        exp = Experiment(dataset='fashion', task='class')
        chosen, table = choose_on_validation(VALIDATION_GRIDS, ds, split, train_original(ds.x_train, split, exp.train_cfg(), seed=0))
        print(table.round(2).to_string(), flush=True)
        names = (*LAF_METHODS, *[m for m in METHODS if m not in LAF_METHODS])
        kw = dict(methods=names, label_fraction=1.0, method_config=chosen, tsne=False)
    for task in tasks:
        exp = Experiment(dataset='fashion', task=task, seeds=seeds, out=Path(out) / task, **kw)
        exp.run()
        print(results_table(exp.out).to_string(), flush=True)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--tasks', default='class,data,noisy')
    p.add_argument('--methods', choices=('laf', 'all'), default='laf')
    p.add_argument('--seeds', type=seeds_arg, default=3, help='a number of seeds (0..n-1) or a comma-separated list')
    p.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    p.add_argument('--out', default=str(Path(__file__).resolve().parents[1] / 'results' / 'fashion'))
    a = p.parse_args()
    main(a.tasks.split(','), a.methods, a.seeds, a.threads, a.out)
