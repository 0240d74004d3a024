#!/usr/bin/env python
"""The paper-scale drivers of this repository's evidence: the baselines' values chosen on a validation split, the
two experiments of each task, the label-budget study and the ablation grid, each on a dataset of the paper.

They call the package's public functions with the paper's arguments and write records under ROOT (default:
results/); the chapters read those records with the package's own functions (`load_records`, `results_table`,
`budget_frame`, `variant_frame`) and never import this file. An evidence driver imports it as a plain module:

    sys.path.insert(0, str(Path(__file__).resolve().parent)); import paper      # from a file in evidence/

usage (every run is resumable: records already in a folder are read, not recomputed):
  python evidence/paper.py choice      --dataset fashion   the baselines' values, kept in ROOT/<dataset>/validation.json
  python evidence/paper.py experiments --dataset fashion   LAF, LAF+R (p = 0.1) and every baseline (p = 1) of each task,
                                                           records in ROOT/<dataset>/<task>
  python evidence/paper.py budgets     --dataset fashion   the label-budget study of each task (it takes the records of
                                                           `experiments` where they match), ROOT/semisupervised/<dataset>/<task>
  python evidence/paper.py ablations   --dataset fashion [--cpu]   the ablation grid of class removal (`--cpu`: `CPU_AXES`),
                                                           ROOT/ablations/<dataset> (ROOT/ablations/gpu/<dataset> on CUDA)
  options: --arch cnn|resnet18  --tasks class,data,noisy  --seeds 3 (or a list: 0,1,2)  --root DIR  --device cpu|cuda
           --engine local|ray [--address auto|ray://host:port] [--cpus-per-job N] [--gpus-per-job F]: where the units of
           experiments, budgets and ablations run (chapter 09b_engines); with ray, one process runs the whole grid in parallel
"""
from __future__ import annotations
import argparse, json
from pathlib import Path

from laf_nb.data import TASKS, load_dataset, make_split
from laf_nb.train import atomic_write, get_device
from laf_nb.methods import train_original
from laf_nb.experiments import Experiment, provenance
from laf_nb.baselines import BASELINES, VALIDATION_GRIDS, choose_on_validation
from laf_nb.semisupervised import FRACTIONS, label_budget_study
from laf_nb.engines import RayEngine, run_experiments
from laf_nb.laf import laf_config
from laf_nb.ablations import ablation_axes, flat_variants, run_variants

# --- the baselines' values, chosen once per dataset on its validation split


def _stored_entries(path, grids):
    "{(method, field): (value, table)} of the entries kept in `path` whose candidate values are those of `grids`."
    import pandas as pd
    if not Path(path).exists(): return {}
    out = {}
    for e in json.loads(Path(path).read_text())['entries']:
        key = (e['method'], e['field'])
        if key in grids and [float(v) for v in grids[key]] == [float(v) for v in e['values']]:
            out[key] = (e['chosen'], pd.DataFrame(e['table']).set_index(['method', 'field', 'value']))
    return out


def stored_choice(
    path,  # a JSON file: its entries are reused, the missing ones computed and added
    grids:dict,  # {(method, field): candidate values, mildest first}
    ds, split, original,  # as for `choose_on_validation` (needed only when an entry is missing)
    **kwargs,  # passed to `choose_on_validation` (fixed, max_drop, fraction, seed, device)
):
    "`choose_on_validation`, each entry computed once: ({method: {field: value}}, table), kept in `path`."
    path, known = Path(path), _stored_entries(path, grids)
    missing = [k for k in grids if k not in known]
    if missing and original is None:
        raise ValueError(f"stored_choice: {path} lacks {missing} (or their values differ); pass ds, split and original to compute them")
    entries = dict(known)
    def keep(key, value, table):
        entries[key] = (value, table)
        old = json.loads(path.read_text())['entries'] if path.exists() else []
        others = [e for e in old if (e['method'], e['field']) not in entries]  # entries of other grids stay
        doc = dict(entries=others + [dict(method=n, field=f, values=list(grids[n, f]), chosen=v,
                                          table=json.loads(t.reset_index().to_json(orient='records')))
                                     for (n, f), (v, t) in entries.items()],
                   provenance=provenance(get_device(kwargs.get('device'))))
        atomic_write(path, lambda tmp: Path(tmp).write_text(json.dumps(doc, indent=1)))
    return choose_on_validation(grids, ds, split, original, known=known, on_choice=keep, **kwargs)


def paper_choice(
    dataset:str,  # a dataset of `DATASETS`
    arch:str='cnn',  # its model
    root='results',  # the choice is kept in root/dataset/validation.json
    grids:dict=VALIDATION_GRIDS,  # {(method, field): candidate values}
    device=None,  # None: `get_device()`
):
    "`stored_choice` on `dataset`'s class-removal split (seed 0) and Original: ({method: {field: value}}, table)."
    path = Path(root) / dataset / 'validation.json'
    if set(grids) <= set(_stored_entries(path, grids)): return stored_choice(path, grids, None, None, None)
    ds, exp = load_dataset(dataset), Experiment(dataset=dataset, task='class', arch=arch, device=device)
    split = make_split(ds.y_train, 'class', seed=0)
    original = train_original(ds.x_train, split, exp.train_cfg(), seed=0, device=get_device(device))
    return stored_choice(path, grids, ds, split, original, device=device)

# --- the runs of each task


def paper_experiments(
    dataset:str,  # a dataset of `DATASETS`
    task:str,  # a task of `TASKS`
    arch:str='cnn',  # its model
    seeds=3,  # a number of seeds or a list
    root='results',  # records go to root/dataset/task
    chosen:dict=None,  # the baselines' tuned values (`paper_choice`)
    device=None,  # None: `get_device()`
) -> tuple:
    "The experiments chapter's experiment (LAF, LAF+R at p = 0.1) and the baselines chapter's (LAF, every baseline at p = 1)."
    kw = dict(dataset=dataset, task=task, arch=arch, seeds=seeds, out=Path(root) / dataset / task, device=device)
    return (Experiment(methods=('original', 'retrain', 'laf', 'laf+r'), label_fraction=0.1, **kw),
            Experiment(methods=('original', 'retrain', 'laf', *BASELINES), label_fraction=1.0, method_config=chosen or {},
                       tsne=False, **kw))


def paper_budget_study(
    dataset:str,  # a dataset of `DATASETS`
    task:str,  # a task of `TASKS`
    arch:str='cnn',  # its model
    seeds=3,  # a number of seeds or a list
    fractions=FRACTIONS,  # the label budgets
    root='results',  # records go to root/semisupervised/dataset/task; `paper_experiments`' are in root/dataset/task
    device=None,  # None: `get_device()`
    quiet:bool=False,  # no progress bars
    engine='local',  # 'local' or a `RayEngine`
):
    "`label_budget_study` of one task at paper scale, with the tuned baselines and `paper_experiments`' records reused."
    chosen = paper_choice(dataset, arch, root=root, device=device)[0]
    return label_budget_study(dataset, task, fractions, seeds, arch=arch, method_config=chosen, device=device,
                              out=Path(root) / 'semisupervised' / dataset / task, quiet=quiet, reuse=[Path(root) / dataset / task], engine=engine)

# --- the ablation grid

PAPER_AXES = dict(stop_tols=(0.05, 0.1, 0.2))  # `ablation_axes` options of the full grid (every τ, k and epoch factor)
CPU_AXES = dict(epoch_factors=(0.25, 0.5, 1), stop_tols=())  # the grid run on a CPU: no 2x epochs, no stopping rules


def ablation_grid(
    arch:str='cnn',  # the model
    axes:dict=PAPER_AXES,  # options of `ablation_axes`
) -> dict:
    "`ablation_axes` around `arch`'s class-removal reference; the `cycle` variant runs a ninth of its epochs."
    ref = laf_config('class', arch)
    return ablation_axes(ref, cycle_epochs=max(1, round(ref.epochs / 9)), **axes)


def ablation_folder(root, dataset:str, device=None) -> Path:
    "root/ablations/dataset, or root/ablations/gpu/dataset on CUDA (its mixed precision is part of the record keys)."
    gpu = get_device(device).type == 'cuda'
    return Path(root) / 'ablations' / ('gpu' if gpu else '') / dataset


def paper_ablation(
    dataset:str,  # a dataset of `load_dataset`
    arch:str='cnn',  # its model
    seeds=3,  # a number of seeds or a list
    root='results',  # records go to `ablation_folder(root, dataset, device)`
    axes:dict=PAPER_AXES,  # options of `ablation_axes`
    device=None,  # None: `get_device()`
    quiet:bool=False,  # no progress bars
    engine='local',  # 'local' or a `RayEngine`
) -> tuple:
    "`run_variants` of `ablation_grid(arch, axes)` on `dataset`'s class removal: (frame, grid)."
    grid = ablation_grid(arch, axes)
    df = run_variants(flat_variants(grid), dataset=dataset, task='class', arch=arch, seeds=seeds, device=device,
                      out=ablation_folder(root, dataset, device), quiet=quiet, engine=engine)
    return df, grid

# --- the command line


def _seeds(s): return [int(x) for x in s.split(',') if x] if ',' in s else int(s)


def engine_arg(a):
    "The engine of the flags --engine, --address, --cpus-per-job, --gpus-per-job: 'local' or a `RayEngine`."
    if a.engine == 'local': return 'local'
    return RayEngine(address=a.address, cpus_per_job=a.cpus_per_job, gpus_per_job=a.gpus_per_job)


def add_engine_flags(p):
    "Add the engine flags to the argument parser `p`."
    p.add_argument('--engine', default='local', choices=('local', 'ray'), help='where the units run (chapter 09b_engines)')
    p.add_argument('--address', default=None, help='with --engine ray: auto or ray://host:port (default: a local instance)')
    p.add_argument('--cpus-per-job', type=int, default=1, help='with --engine ray: CPUs and torch threads per unit')
    p.add_argument('--gpus-per-job', type=float, default=None, help='with --engine ray: GPUs per unit (default: 1 on CUDA)')


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('study', choices=('choice', 'experiments', 'budgets', 'ablations'))
    p.add_argument('--dataset', default='fashion')
    p.add_argument('--arch', default='cnn')
    p.add_argument('--tasks', default=','.join(TASKS), help='tasks of experiments and budgets (comma-separated)')
    p.add_argument('--seeds', type=_seeds, default=3, help='a number of seeds or a comma-separated list')
    p.add_argument('--root', default=str(Path(__file__).resolve().parents[1] / 'results'))
    p.add_argument('--device', default=None)
    p.add_argument('--cpu', action='store_true', help='ablations: the CPU grid (`CPU_AXES`) instead of the full one')
    add_engine_flags(p)
    a = p.parse_args(argv)
    engine = engine_arg(a)
    tasks = [t for t in a.tasks.split(',') if t]
    if a.study == 'choice': print(paper_choice(a.dataset, a.arch, a.root, device=a.device)[1].round(2).to_string())
    elif a.study == 'experiments':
        chosen = paper_choice(a.dataset, a.arch, a.root, device=a.device)[0]
        run_experiments([e for task in tasks for e in paper_experiments(a.dataset, task, a.arch, a.seeds, a.root, chosen, a.device)], engine)
    elif a.study == 'budgets':
        for task in tasks: paper_budget_study(a.dataset, task, a.arch, a.seeds, root=a.root, device=a.device, engine=engine)
    else: paper_ablation(a.dataset, a.arch, a.seeds, a.root, CPU_AXES if a.cpu else PAPER_AXES, a.device, engine=engine)


if __name__ == '__main__': main()
