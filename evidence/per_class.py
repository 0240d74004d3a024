"""Class removal of every class, one class at a time, with Original, Retrain, LAF and LAF+R (p = 10 %): the per-class
evidence of chapter `05_laf`. Each configuration of LAF writes to its own folder, ROOT/per_class/<dataset>/<config>/, so
two configurations are never merged into one row; Original and Retrain come from the model cache once trained
(Original is shared by all classes of a seed, Retrain differs per class). Resumable: a record is appended as soon as
it is done, and a rerun skips the records that are there.

usage: python evidence/per_class.py [--dataset mnist5k] [--config reference] [--seeds 3] [--classes 0,1,...,9]
                                   [--threads 1] [--root results] [--engine local|ray [--address A]]
       python evidence/per_class.py --summary [--root results]
  --config reference   `laf_config('class', arch)`: the paper's hyper-parameters, epochs counted over D_f
  --config settled     `laf_config('class', arch, preset='settled')`: a budget of steps, stopping once D_f's
                       predictions have settled (`LAF_PRESETS` in laf_nb/laf.py)
  --seeds 3            seeds 0, 1, 2; `2,` or `1,2` is a list
  --engine ray         run every (class, seed) at once on Ray, --threads threads per unit (chapter 09b_engines);
                       the local engine runs them one after another on --threads threads
  --summary            print, for every folder there is, LAF's Test_f, Test_r − Original's and Avg Gap to Retrain
                       per class (means over seeds) as the markdown table of the README; runs nothing"""
import argparse, os, shutil, time
from pathlib import Path

def seeds_arg(s):
    "`3` means seeds 0, 1, 2; `2,` or `1,2` is a list of seeds."
    try: return [int(v) for v in s.split(',') if v] if ',' in s else list(range(int(s)))
    except ValueError: raise argparse.ArgumentTypeError(f"--seeds={s!r} must be a number or a comma-separated list of ints") from None

def ints_arg(s):
    try: return [int(v) for v in s.split(',') if v]
    except ValueError: raise argparse.ArgumentTypeError(f"{s!r} must be a comma-separated list of ints") from None

def config_overrides(name):
    "The `LAFConfig` overrides that configuration `name` (a preset of `laf_config`) gives LAF and LAF+R."
    from laf_nb.laf import LAF_PRESETS
    return dict(LAF_PRESETS[name])

def per_class(dataset, config, root='results'):
    "LAF's Test_f, Test_r − Original's, Avg Gap and time per class (means over seeds, and the number of seeds) of one folder."
    from laf_nb.experiments import load_records, results_frame
    recs = load_records(Path(root) / 'per_class' / dataset / config)
    df = results_frame(recs).assign(cls=[r['task_options']['classes'][0] for r in recs])
    laf, orig = (df[df.method == m].set_index(['cls', 'seed']) for m in ('laf', 'original'))
    g = laf.assign(dTest_r=laf.Test_r - orig.Test_r.reindex(laf.index)).groupby('cls')
    return g[['Test_f', 'dTest_r', 'Avg Gap', 'time']].mean().assign(seeds=g.size())

def summary(root='results'):
    "The markdown table of `per_class` for every (dataset, config) folder under ROOT/per_class."
    folders = [(d, c) for d in ('mnist5k', 'fashion') for c in ('reference', 'settled')
               if (Path(root) / 'per_class' / d / c / 'results.jsonl').exists()]
    if not folders: raise SystemExit(f"no per-class results under {Path(root) / 'per_class'}")
    tabs = {f: per_class(*f, root=root) for f in folders}
    def seeds(t): return f"{t.seeds.min()}" if t.seeds.min() == t.seeds.max() else f"{t.seeds.min()}–{t.seeds.max()}"
    head = ' | '.join(f"{d}, {c} ({seeds(t)} seed{'s' if t.seeds.max() > 1 else ''})" for (d, c), t in tabs.items())
    lines = [f"| class | {head} |", '|---|' + '---|' * len(tabs)]
    for cls in sorted(set().union(*(t.index for t in tabs.values()))):
        cells = [f"{t.loc[cls, 'Test_f']:.1f} / {t.loc[cls, 'dTest_r']:+.2f} / {t.loc[cls, 'Avg Gap']:.2f}" if cls in t.index else '–'
                 for t in tabs.values()]
        lines.append(f"| {cls} | " + ' | '.join(cells) + ' |')
    return '\n'.join(lines)

def main(dataset, config, seeds, classes, threads, root, quiet, summary_only, engine='local', address=None):
    if summary_only: return print(summary(root))
    import torch
    torch.set_num_threads(threads)
    from laf_nb.cli import train_recipe
    from laf_nb.experiments import Experiment
    from laf_nb.engines import run_experiments
    over = config_overrides(config)
    out = Path(root) / 'per_class' / dataset / config
    exps = [Experiment(dataset=dataset, task='class', task_options=dict(classes=c), seeds=[seed],
                       train=train_recipe(dataset), out=str(out), tsne=False,
                       method_config={m: over for m in ('laf', 'laf+r')} if over else {})
            for seed in seeds for c in classes]
    if engine == 'ray': run_experiments(exps, 'ray', quiet=quiet, address=address, cpus_per_job=threads)
    else:
        for exp in exps:
            t0 = time.perf_counter()
            exp.run(quiet=quiet)
            print(f"{dataset} {config} seed {exp.seeds[0]} class {exp.task_options['classes']}: {time.perf_counter() - t0:.0f} s", flush=True)
    # The runner's figures are of the last Experiment alone (one class, one seed): as figures of the folder they
    # would mislead, so they are not kept; chapter `05_laf` tabulates and plots the folder per class.
    shutil.rmtree(out / 'figures', ignore_errors=True)
    print(per_class(dataset, config, root).round(2).to_string(), flush=True)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--dataset', default='mnist5k', choices=('mnist5k', 'fashion'))
    p.add_argument('--config', default='reference', choices=('reference', 'settled'))
    p.add_argument('--seeds', type=seeds_arg, default=[0, 1, 2])
    p.add_argument('--classes', type=ints_arg, default=list(range(10)))
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--root', default='results')
    p.add_argument('--quiet', action='store_true')
    p.add_argument('--summary', dest='summary_only', action='store_true')
    p.add_argument('--engine', default='local', choices=('local', 'ray'))
    p.add_argument('--address', default=None, help='with --engine ray: auto or ray://host:port (default: a local instance)')
    main(**vars(p.parse_args()))
