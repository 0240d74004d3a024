"""Convert stored runner records to the current record format, in place (atomically, under each folder's lock).

What changes in a record made before the format settled:
- `history`: the per-step loss curves (`STEP_CURVES`: loss, ue_loss, ra_loss) are dropped and their lengths kept in
  `curve_steps`; a LAF history that predates `steps_epoch` gets it from the length of its curve (every epoch of
  those runs took the same number of steps);
- `name` (the method, for records that are not variants), `config_id` (the hash of the method's configuration, with
  the configuration class's `unkeyed` rule) and `train_id` (the hash of the Original/Retrain recipe, taken from the
  Retrain record of the same dataset, task, split and seed) are added.
Keys and metrics are left exactly as they are. A record already in the current format is left as it is.

usage: python evidence/convert_records.py results/fashion/class [more folders ...]
       python evidence/convert_records.py --all      # every results.jsonl under results/ written by the runner
"""
import argparse, dataclasses, json, sys
from pathlib import Path

def config_object(method, cfg, task, arch):
    "The configuration object a stored `cfg` (its JSON form) was made from, so that `config_hash` applies its rule."
    from laf_nb.laf import LAFConfig
    from laf_nb.methods import METHODS, LAFRConfig, TrainConfig
    def build(cls, d):
        names = {f.name for f in dataclasses.fields(cls)}
        extra = set(d) - names
        if extra: raise ValueError(f"{method}: stored config has fields {sorted(extra)} that {cls.__name__} lacks")
        return cls(**d)
    if cfg is None: return None
    if method in ('original', 'retrain'): return build(TrainConfig, cfg)
    if method == 'laf': return build(LAFConfig, cfg)
    if method == 'laf+r': return LAFRConfig(build(LAFConfig, cfg['laf']), cfg['repair'])
    default = METHODS[method].config(task, arch)
    return build(type(default), cfg) if dataclasses.is_dataclass(default) else cfg

def convert_history(hist):
    "The history in the current format (per-step curves as their lengths; `steps_epoch` for old LAF histories)."
    from laf_nb.experiments import history_summary
    hist = dict(hist or {})
    if 'ue_loss' in hist and 'steps_epoch' not in hist and hist.get('epochs_run'):
        hist['steps_epoch'] = [len(hist['ue_loss']) // hist['epochs_run']] * hist['epochs_run']
    steps = dict(hist.pop('curve_steps', {}))
    out = history_summary(hist)
    steps.update(out.pop('curve_steps', {}))
    return {**out, 'curve_steps': steps} if steps else out

def _group(r): return (r['dataset'], r['task'], json.dumps(r['task_options'], sort_keys=True), r['arch'], r['seed'])

def convert(records):
    "The records in the current format (a new list; the input is not changed)."
    from laf_nb.methods import config_hash
    train = {_group(r): config_hash(config_object('retrain', r['config'], r['task'], r['arch']), 8)
             for r in records if r.get('method') == 'retrain' and r.get('config')}
    out = []
    for r in records:
        r = dict(r)
        if 'method' not in r: out.append(r); continue  # not a runner record
        r['history'] = convert_history(r.get('history'))
        r.setdefault('name', r['method'])
        if 'config_id' not in r:
            r['config_id'] = config_hash(config_object(r['method'], r.get('config'), r['task'], r['arch']), 8)
        r.setdefault('train_id', train.get(_group(r)))
        out.append(r)
    return out

def convert_folder(folder):
    "Convert `folder/results.jsonl` in place; returns (records, bytes before, bytes after)."
    from laf_nb.experiments import RESULTS_FILE, jsonable, load_records, results_lock
    from laf_nb.train import atomic_write
    path = Path(folder) / RESULTS_FILE
    before = path.stat().st_size
    with results_lock(folder):
        recs = convert(load_records(folder))
        text = ''.join(json.dumps(r, default=jsonable) + '\n' for r in recs)
        atomic_write(path, lambda tmp: Path(tmp).write_text(text))
    return len(recs), before, path.stat().st_size

def main(folders):
    for f in folders:
        n, a, b = convert_folder(f)
        print(f"{f}: {n} records, {a / 1e6:.2f} MB -> {b / 1e6:.3f} MB")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('folders', nargs='*', help='results folders (each holding a results.jsonl)')
    p.add_argument('--all', action='store_true', help='every runner results folder under results/ (not results/ablations)')
    a = p.parse_args()
    root = Path(__file__).resolve().parents[1] / 'results'
    folders = a.folders or ([str(q.parent) for q in sorted(root.rglob('results.jsonl')) if 'ablations' not in q.parts] if a.all else [])
    if not folders: p.error('give folders or --all')
    main(folders)
