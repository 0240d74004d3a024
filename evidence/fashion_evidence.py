"""Paper-scale evidence on the full Fashion-MNIST, resumable: the runner's three tasks x 3 seeds (chapters 07 and 08),
the label-budget study (chapter 10) and the ablation grid (chapter 09), run by the notebooks' own functions and
written where their reader cells look (under results/). Each record is appended atomically as soon as it is done, so
a job can be stopped and rerun at will, and the records committed as they complete.

usage: python evidence/fashion_evidence.py [--study runner] [--tasks class,data,noisy] [--methods laf] [--seeds 3] [--threads 2] [--root DIR]
  --study runner       chapters 07 and 08's records, chosen by --methods (below)
  --study budgets      chapter 10's label-budget study of each task (`paper_budget_study`), records in
                       ROOT/semisupervised/fashion/<task>; it takes 07 and 08's records where they match, so run it
                       after them
  --study ablations    chapter 09's CPU grid of LAF variants on class removal (`paper_ablation` with `CPU_AXES`),
                       records in ROOT/ablations/fashion (--tasks and --methods do not apply)
  --seeds 3            seeds 0, 1, 2; a list such as --seeds 2, runs seed 2 alone, e.g. beside another job
                       (two jobs must not share a task's folder: give one its own --root, then merge its records
                       with evidence/merge_records.py)
  --methods laf        Original, Retrain, LAF, LAF+R with p = 10 % (chapter 07's slow cell, issue 4's table)
  --methods all        Original, Retrain, LAF and every baseline with p = 1 (chapter 08's slow cell, issue 5's table;
                       LAF+R stays at the 10 % of `--methods laf`), the hyper-parameters of neggrad+, scrub, ssd and
                       lfssd chosen on a validation split of Fashion's class-removal training data, kept in
                       ROOT/fashion/validation.json (computed once, then read)
  --methods ssd,scrub  a comma-separated subset of `all`, with the same configurations (to split the work in two jobs)"""
import argparse, dataclasses, os
from pathlib import Path

from laf_nb.baselines import BASELINES

ALL = ('original', 'retrain', 'laf', *BASELINES)  # the methods of 08's paper-scale experiment

def seeds_arg(s):
    "`3` means seeds 0, 1, 2; `2,` or `1,2` is a list of seeds."
    try: return [int(v) for v in s.split(',') if v] if ',' in s else int(s)
    except ValueError: raise argparse.ArgumentTypeError(f"--seeds={s!r} must be a number or a comma-separated list of ints") from None

def methods_arg(s):
    "'laf', 'all', or a comma-separated subset of `ALL`."
    if s in ('laf', 'all'): return s
    names = tuple(v for v in s.split(',') if v)
    bad = [v for v in names if v not in ALL]
    if bad or not names: raise argparse.ArgumentTypeError(f"--methods={s!r}: unknown {bad}; allowed: laf, all, or a list of {', '.join(ALL)}")
    return names

def main(study, tasks, methods, seeds, threads, root):
    import torch
    torch.set_num_threads(threads)
    if study == 'ablations': return ablations(seeds, root)
    if study == 'budgets': return budgets(tasks, seeds, root)
    from laf_nb.experiments import results_table
    from laf_nb.baselines import VALIDATION_GRIDS, paper_choice, paper_experiments
    names = ALL if methods == 'all' else methods
    grids = {k: v for k, v in VALIDATION_GRIDS.items() if k[0] in names and methods != 'laf'}
    chosen = paper_choice('fashion', root=root, grids=grids)[0] if grids else {}
    for task in tasks:
        lafs, every = paper_experiments('fashion', task, seeds=seeds, root=root, chosen=chosen)
        exp = lafs if methods == 'laf' else dataclasses.replace(every, methods=tuple(m for m in every.methods if m in names))
        exp.run()
        print(results_table(exp.out).to_string(), flush=True)

def ablations(seeds, root):
    from laf_nb.ablations import CPU_AXES, paper_ablation, variant_table
    df, _ = paper_ablation('fashion', seeds=seeds, root=root, axes=CPU_AXES)
    print(variant_table(df).to_string(), flush=True)

def budgets(tasks, seeds, root):
    from laf_nb.semisupervised import gap_vs_p, paper_budget_study
    for task in tasks:
        df = paper_budget_study('fashion', task, seeds=seeds, root=root)
        print(gap_vs_p(df)['mean'].unstack('p').round(2).to_string(), flush=True)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--study', choices=('runner', 'budgets', 'ablations'), default='runner')
    p.add_argument('--tasks', default='class,data,noisy')
    p.add_argument('--methods', type=methods_arg, default='laf', help="laf, all, or a comma-separated list of methods")
    p.add_argument('--seeds', type=seeds_arg, default=3, help='a number of seeds (0..n-1) or a comma-separated list')
    p.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    p.add_argument('--root', default=str(Path(__file__).resolve().parents[1] / 'results'), help='records go under ROOT: fashion/<task>, semisupervised/fashion/<task> or ablations/fashion')
    a = p.parse_args()
    main(a.study, a.tasks.split(','), a.methods, a.seeds, a.threads, a.root)
