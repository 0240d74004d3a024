#!/usr/bin/env python
"""The paper-scale drivers of this repository's evidence: every method's values chosen per task on validation data, the
two experiments of each task, the label-budget study and the ablation grid, each on a dataset of the paper.

They call the package's public functions with the paper's arguments and write records under ROOT (default:
results/); the chapters read those records with the package's own functions (`load_records`, `results_table`,
`budget_frame`, `variant_frame`) and never import this file. An evidence driver imports it as a plain module:

    sys.path.insert(0, str(Path(__file__).resolve().parent)); import paper      # from a file in evidence/

usage (every run is resumable: records already in a folder are read, not recomputed):
  python evidence/paper.py choice      --dataset fashion   every method's values, chosen per task on validation data
                                                           (`choose_by_gap`), kept in ROOT/validation/<dataset>/<task>
  python evidence/paper.py experiments --dataset fashion   LAF, LAF+R (p = 0.1) and every baseline (p = 1) of each task,
                                                           records in ROOT/<dataset>/chosen/<task>
  python evidence/paper.py budgets     --dataset fashion   the label-budget study of each task (it takes the records of
                                                           `experiments` where they match, in place of its own of the same
                                                           key), ROOT/semisupervised/<dataset>/<task>
  python evidence/paper.py ablations   --dataset fashion [--cpu]   the ablation grid of class removal (`--cpu`: `CPU_AXES`),
                                                           ROOT/ablations/<dataset> (ROOT/ablations/gpu/<dataset> on CUDA)
  python evidence/paper.py experiments --dataset fashion --tasks class --seeds 0, --choice-from mnist5k \
                                       --methods finetune,scrub --out results/transfer/fashion
                                                           the baselines named, at the values chosen on mnist5k's
                                                           validation data: what they do on another dataset
  options: --arch cnn|resnet18  --tasks class,data,noisy  --seeds 3 (or a list: 0,1,2)  --root DIR  --device cpu|cuda
           --engine local|ray [--address auto|ray://host:port] [--cpus-per-job N] [--gpus-per-job F]: where the units of
           experiments, budgets and ablations run (chapter 09b_engines); with ray, one process runs the whole grid in parallel
"""
from __future__ import annotations
import argparse, json
from pathlib import Path

from laf_nb.data import TASKS
from laf_nb.train import atomic_write, get_device
from laf_nb.experiments import Experiment, VALIDATION_GRIDS, choose_by_gap, provenance
from laf_nb.baselines import BASELINES
from laf_nb.semisupervised import FRACTIONS, label_budget_study
from laf_nb.engines import RayEngine, run_experiments
from laf_nb.laf import laf_config
from laf_nb.ablations import ablation_axes, flat_variants, run_variants

# --- every method's values, chosen per task on the dataset's validation data


def _grid_doc(grids): return [[m, f, list(v)] for (m, f), v in grids.items()]


def paper_choice(
    dataset:str,  # a dataset of `DATASETS`
    task:str,  # a task of `TASKS`
    arch:str='cnn',  # its model
    root='results',  # the runs in root/validation/dataset/task (resumable), the choice and its table in its choice.json
    grids:dict=None,  # {(method, field): candidate values}; None: `VALIDATION_GRIDS`
    seeds=1,  # validation seeds
    device=None,  # None: `get_device()`
    quiet:bool=False,  # no progress bars
    engine='local',  # 'local' or a `RayEngine`
):
    "`choose_by_gap` of `task` on `dataset`'s validation data, computed once: ({method: {field: value}}, table)."
    import pandas as pd
    grids = grids or VALIDATION_GRIDS
    folder = Path(root) / 'validation' / dataset / task
    path = folder / 'choice.json'
    if path.exists() and (doc := json.loads(path.read_text()))['grids'] == _grid_doc(grids) and doc['seeds'] == seeds:
        return doc['chosen'], pd.DataFrame(doc['table']).set_index(['method', 'field', 'value'])
    chosen, table = choose_by_gap(grids, dataset, task, seeds=seeds, arch=arch, out=folder, device=device, quiet=quiet, engine=engine)
    doc = dict(dataset=dataset, task=task, arch=arch, seeds=seeds, grids=_grid_doc(grids), chosen=chosen,
               table=json.loads(table.reset_index().to_json(orient='records')), provenance=provenance(get_device(device)))
    atomic_write(path, lambda tmp: Path(tmp).write_text(json.dumps(doc, indent=1)))
    return chosen, table

# --- the runs of each task


def paper_experiments(
    dataset:str,  # a dataset of `DATASETS`
    task:str,  # a task of `TASKS`
    arch:str='cnn',  # its model
    seeds=3,  # a number of seeds or a list
    root='results',  # records go to root/dataset/chosen/task
    chosen:dict=None,  # every method's values chosen for this task (`paper_choice`)
    device=None,  # None: `get_device()`
    methods=None,  # only these methods (Original and Retrain always run); None: all of them
    out=None,  # records go to out/task instead (e.g. another choice's runs)
) -> tuple:
    "The experiments chapter's experiment (LAF, LAF+R at p = 0.1) and the baselines chapter's (LAF, every baseline at p = 1)."
    kw = dict(dataset=dataset, task=task, arch=arch, seeds=seeds, out=Path(out or Path(root) / dataset / 'chosen') / task, device=device)
    keep = lambda ms: ('original', 'retrain', *(m for m in ms if methods is None or m in methods))
    exps = (Experiment(methods=keep(('laf', 'laf+r')), label_fraction=0.1, method_config=chosen or {}, **kw),
            Experiment(methods=keep(('laf', *BASELINES)), label_fraction=1.0, method_config=chosen or {}, tsne=False, **kw))
    return tuple(e for e in exps if len(e.methods) > 2)


def stored_choice(
    dataset:str,  # the dataset whose validation data the values were chosen on
    task:str,  # a task of `TASKS`
    root='results',  # the choice is root/validation/dataset/task/choice.json (`paper_choice`)
) -> dict:
    "The values `paper_choice` chose and stored for `task` on `dataset`: {method: {field: value}}."
    path = Path(root) / 'validation' / dataset / task / 'choice.json'
    if not path.exists(): raise FileNotFoundError(f"no stored choice {path}: run `python evidence/paper.py choice --dataset {dataset}`")
    return json.loads(path.read_text())['chosen']


def paper_budget_study(
    dataset:str,  # a dataset of `DATASETS`
    task:str,  # a task of `TASKS`
    arch:str='cnn',  # its model
    seeds=3,  # a number of seeds or a list
    fractions=FRACTIONS,  # the label budgets
    root='results',  # records go to root/semisupervised/dataset/task; `paper_experiments`' are in root/dataset/chosen/task
    device=None,  # None: `get_device()`
    quiet:bool=False,  # no progress bars
    engine='local',  # 'local' or a `RayEngine`
):
    "`label_budget_study` of one task at paper scale, with the tuned baselines and `paper_experiments`' records reused (in place of the study's own of the same key)."
    chosen = paper_choice(dataset, task, arch, root=root, device=device, engine=engine)[0]
    return label_budget_study(dataset, task, fractions, seeds, arch=arch, method_config=chosen, device=device,
                              out=Path(root) / 'semisupervised' / dataset / task, quiet=quiet, reuse=[Path(root) / dataset / 'chosen' / task],
                              replace_reused=True, engine=engine)

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
    p.add_argument('--val-seeds', type=_seeds, default=1, help='choice: validation seeds')
    p.add_argument('--cpu', action='store_true', help='ablations: the CPU grid (`CPU_AXES`) instead of the full one')
    p.add_argument('--out', default=None, help='experiments: records in OUT/<task> (default: ROOT/<dataset>/chosen/<task>)')
    p.add_argument('--methods', default=None, help='experiments: only these methods (comma-separated; Original and Retrain always run)')
    p.add_argument('--choice-from', default=None, help="experiments: the values chosen and stored on this dataset's validation data "
                   '(ROOT/validation/DATASET) instead of a choice on --dataset')
    add_engine_flags(p)
    a = p.parse_args(argv)
    engine = engine_arg(a)
    tasks = [t for t in a.tasks.split(',') if t]
    methods = a.methods and [m for m in a.methods.split(',') if m]
    if methods and (bad := [m for m in methods if m not in ('original', 'retrain', 'laf', 'laf+r', *BASELINES)]):
        p.error(f"--methods: {','.join(bad)} is not a method of the experiments; allowed: laf, laf+r, {', '.join(BASELINES)}")
    if a.choice_from and a.study != 'experiments': p.error(f"--choice-from: only for experiments, not {a.study}")
    if a.choice_from and not a.out: p.error("--choice-from needs --out: runs at another dataset's values do not belong in ROOT/<dataset>/chosen")
    if a.choice_from:
        choice = lambda task: (stored_choice(a.choice_from, task, a.root),)
    else: choice = lambda task: paper_choice(a.dataset, task, a.arch, a.root, seeds=a.val_seeds, device=a.device, engine=engine)
    if a.study == 'choice':
        for task in tasks: print(task, choice(task)[1].round(2).to_string(), sep='\n', flush=True)
    elif a.study == 'experiments':
        run_experiments([e for task in tasks for e in paper_experiments(a.dataset, task, a.arch, a.seeds, a.root, choice(task)[0],
                                                                         a.device, methods, a.out)], engine)
    elif a.study == 'budgets':
        for task in tasks: paper_budget_study(a.dataset, task, a.arch, a.seeds, root=a.root, device=a.device, engine=engine)
    else: paper_ablation(a.dataset, a.arch, a.seeds, a.root, CPU_AXES if a.cpu else PAPER_AXES, a.device, engine=engine)


if __name__ == '__main__': main()
