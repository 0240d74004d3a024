#!/usr/bin/env python
"""One-off: convert the stored ablation records, results/ablations/{mnist5k,fashion,fashion_stop}/results.jsonl,
from the format of the ablations chapter's former runner to the experiment runner's (`Experiment.make_record`).

A record of the former format had `variant` (its name; 'Original' and 'Retrain' for the references), a key of its
own, the LAF fields at the top level (time of the loop, time_vae, epochs_run, stage_epochs, ue_steps, ra_steps and
the per-epoch lists ue_epoch, ra_epoch, flip_epoch) and no provenance. Each becomes the record that
`Experiment.run` writes for the same run of the experiment that reads the folder:

- `name` ('original', 'retrain' or the variant's name), `method` ('original', 'retrain' or 'laf'), the key
  recomputed with `Experiment.record_key(name, seed, split)`, `task_options`, `labels`, `label_fraction`,
  `config` (the full configuration `Experiment.method_cfg` gives, checked equal to the stored one on every field
  the stored one has), `config_id` and `train_id`;
- `metrics` exactly as stored;
- `history`: the per-epoch lists, epochs_run and stage_epochs as stored; the loop's time as `time_unlearn` and
  time_vae as stored, `time` their sum (the record's `time` too); the step counts as `curve_steps` (the former
  records kept no per-step losses); and `steps_run` and `steps_epoch`, which follow from them exactly (with
  `min_steps` unset every epoch of a stage takes the same number of pairs); Original's time is 0, Retrain's was
  not stored;
- `provenance`: the converter and the former key.

The experiments: mnist5k is the ablations chapter's study (two seeds, its reduced grid), fashion the CPU grid of
`paper.ablation_grid('cnn', paper.CPU_AXES)` (three seeds), fashion_stop the chapter's stopping-rule run (seed 0).
Keys are those of a run on the CPU (where these records were made). Every converted key is one the experiment
asks for, so rerunning the chapter's cells on these folders reads them back and computes nothing.

usage: python evidence/convert_ablations.py [--root results] [--check]   (--check: convert in memory, write nothing)
A folder whose records are already in the runner's format is left as it is.
"""
from __future__ import annotations
import argparse, json, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import paper
from laf_nb.data import load_dataset, make_split
from laf_nb.train import atomic_write
from laf_nb.laf import laf_config
from laf_nb.methods import METHODS, config_hash, jsonable
from laf_nb.experiments import RESULTS_FILE, history_summary, load_records
from laf_nb.ablations import REFERENCE, ablation_axes, ablation_experiment, flat_variants

MNIST5K_AXES = dict(taus=(5, 20, 50), ks=(4, 8, 16), epoch_factors=(0.25, 0.5, 1), cycle_epochs=2, stop_tols=(0.05, 0.1, 0.2))
STOP_VARIANTS = {'flips (tol 0.05)': dict(stop='flips'), '10 epochs': dict(epochs=10), REFERENCE: {},
                 'plateau (tol 0.05)': dict(stop='plateau')}
EXPERIMENTS = {  # folder: (variants, the fields of `Experiment`), as the chapter and evidence/paper.py run them
    'mnist5k': (flat_variants(ablation_axes(laf_config('class', 'cnn'), **MNIST5K_AXES)), dict(dataset='mnist5k', seeds=2)),
    'fashion': (flat_variants(paper.ablation_grid('cnn', paper.CPU_AXES)), dict(dataset='fashion', seeds=3)),
    'fashion_stop': (STOP_VARIANTS, dict(dataset='fashion', seeds=[0])),
}
NAMES = {'Original': 'original', 'Retrain': 'retrain'}


def laf_history(old:dict) -> dict:
    "The runner's history summary of a former LAF record."
    stages, steps = old['stage_epochs'], (old['ue_steps'], old['ra_steps'])
    if len(stages) == 1: run = [max(steps)]  # one stage takes its steps on every pair ('ue' or 'ra' alone: one loss)
    else: run = list(steps)  # two-stage: L_UE's epochs, then L_RA's
    for n, s in zip(stages, run): assert n and s % n == 0, (old['variant'], stages, steps)
    hist = dict(time=old['time'] + old['time_vae'], time_vae=old['time_vae'], time_unlearn=old['time'],
                epochs_run=old['epochs_run'], stage_epochs=list(stages), steps_run=run,
                steps_epoch=[s // n for n, s in zip(stages, run) for _ in range(n)],
                ue_epoch=old['ue_epoch'], ra_epoch=old['ra_epoch'], flip_epoch=old['flip_epoch'],
                ue_loss=[0.0] * old['ue_steps'], ra_loss=[0.0] * old['ra_steps'])  # only their lengths are kept
    return history_summary(hist)


def convert(old:dict, exp, split) -> dict:
    "The runner's record of the former record `old` (of `exp`, on `split`)."
    name = NAMES.get(old['variant'], old['variant'])
    if name not in exp.methods: raise ValueError(f"{old['variant']!r} is not a variant of the experiment of its folder")
    meth, cfg = METHODS[exp.method_of(name)], exp.method_cfg(name)
    config = json.loads(json.dumps(cfg, default=jsonable))
    if old['config'] is not None:
        diff = {k: (v, config.get(k)) for k, v in old['config'].items() if config.get(k) != v}
        if diff: raise ValueError(f"{old['variant']!r} (seed {old['seed']}): stored config differs from the experiment's: {diff}")
    hist = laf_history(old) if meth.name == 'laf' else ({'time': 0.0} if name == 'original' else {})
    return dict(key=exp.record_key(name, old['seed'], split), name=name, method=meth.name, seed=old['seed'],
                dataset=exp.dataset_id, task=exp.task, task_options=split.options, arch=exp.arch, labels=meth.labels,
                label_fraction=None if meth.labels == 'none' else exp.method_fraction(name), metrics=old['metrics'],
                time=hist.get('time'), history=hist, config=config, config_id=config_hash(cfg, 8),
                train_id=config_hash(exp.train_cfg(), 8),
                provenance=dict(converted_by='evidence/convert_ablations.py', former_key=old['key']))


def convert_folder(folder:Path, variants:dict, fields:dict, write:bool=True) -> list:
    "Convert the records of `folder` (left as it is when they are in the runner's format already); the new records."
    old = load_records(folder)
    if all('name' in r for r in old): return old
    exp = ablation_experiment(variants, task='class', arch='cnn', device='cpu', out=str(folder), **fields)
    y = load_dataset(exp.dataset).y_train
    splits = {s: make_split(y, 'class', seed=s) for s in exp.seed_list}
    new = [convert(r, exp, splits[r['seed']]) for r in old]
    asked = {exp.record_key(n, s, splits[s]) for s in exp.seed_list for n in exp.methods}
    keys = [r['key'] for r in new]
    assert len(set(keys)) == len(keys) and set(keys) <= asked, folder
    if write:
        text = ''.join(json.dumps(r, default=jsonable) + '\n' for r in new)
        atomic_write(folder / RESULTS_FILE, lambda tmp: Path(tmp).write_text(text))
    return new


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--root', default=str(Path(__file__).resolve().parents[1] / 'results'))
    p.add_argument('--check', action='store_true', help='convert in memory only')
    a = p.parse_args()
    for name, (variants, fields) in EXPERIMENTS.items():
        folder = Path(a.root) / 'ablations' / name
        new = convert_folder(folder, variants, fields, write=not a.check)
        print(f"{folder}: {len(new)} records{' (checked, not written)' if a.check else ''}")
