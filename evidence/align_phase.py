"""A tried remedy for LAF's distance to Retrain after the turn: the 'settled' schedule followed by an alignment phase of
L_RA-only steps (label-free: L_RA pulls D_r's representations back to the teacher's while it keeps pushing D_f's
away), on the development classes of chapter `05_laf` (classes 0–4 of mnist5k at seeds 10 and 11, which no table of
the book uses). Variants: 'settled' (no alignment), 'settled+a130' and 'settled+a390' (130 or 390 L_RA steps after the
loop). The method is registered here (`laf-align`), not in the package: it is an experiment, not a schedule of laf_nb.
Records go to OUT (resumable: a record already there is not recomputed); the per-run and per-variant table is printed.

usage: python evidence/align_phase.py [--out results/per_class/align_dev] [--classes 0,1,2,3,4] [--seeds 10,11]
                                      [--engine ray|local] [--table]"""
import argparse, copy, time
from dataclasses import replace

VARIANTS = {'settled': ('laf-align', dict(align=0)), 'settled+a130': ('laf-align', dict(align=130)),
            'settled+a390': ('laf-align', dict(align=390))}

def ints_arg(s):
    try: return [int(v) for v in s.split(',') if v]
    except ValueError: raise argparse.ArgumentTypeError(f"{s!r} must be a comma-separated list of ints") from None

def laf_align(model, x, forget, remain, labels, cfg, device, seed):
    "LAF with `cfg['laf']`, then `cfg['align']` L_RA-only steps on the same student and optimisers; reads no label."
    from laf_nb.laf import (check_request, teacher_representations, fit_vaes, prepare_student, unlearning_loop, release,
                            pairs_per_epoch)
    from laf_nb.train import get_device
    lcfg, align = cfg['laf'], cfg['align']
    x, forget, remain, lcfg = check_request(model, x, forget, remain, lcfg)
    device, t0 = get_device(device), time.perf_counter()
    student = copy.deepcopy(model).to(device).eval()
    reps = teacher_representations(student, x, forget, remain, device)
    h, h_f, _ = fit_vaes(student, x, forget, remain, reps, lcfg, device, seed, True)
    st = prepare_student(student, x, reps, (h, h_f), lcfg, device, seed)
    new_hist = lambda: dict(ue_loss=[], ra_loss=[], ue_epoch=[], ra_epoch=[], stage_epochs=[])
    hist = new_hist()
    unlearning_loop(st, x, forget, remain, lcfg, hist, seed, True)
    out = dict(steps=hist['steps_run'][0], flips=hist['flip_epoch'][-1], flip_epoch=hist['flip_epoch'])
    if align:
        per = pairs_per_epoch(len(forget), len(remain), lcfg)
        acfg = replace(lcfg, schedule='ra', epochs=-(-align // per), min_steps=align, stop=None)
        h2 = new_hist()
        unlearning_loop(st, x, forget, remain, acfg, h2, seed + 1000, True)
        out.update(align_steps=h2['steps_run'][0], flips_after=h2['flip_epoch'][-1])
    release(st)
    return student.eval(), dict(out, time=time.perf_counter() - t0)

def register():
    from laf_nb.laf import laf_config
    from laf_nb.methods import register_method
    register_method('laf-align', laf_align, 'none',
                    lambda task, arch, align=0, preset='settled', **kw: dict(laf=laf_config(task, 'cnn', preset=preset, **kw), align=align),
                    doc="LAF ('settled'), then L_RA-only steps")

def table(out):
    "Per run and per variant: Test_f, Test_r − Original's and − Retrain's, Train_r − Retrain's, ASR − Retrain's, Avg Gap, steps, time."
    import numpy as np, pandas as pd
    from laf_nb.experiments import load_records, results_frame
    recs = load_records(out)
    df = results_frame(recs).assign(cls=[r['task_options']['classes'][0] for r in recs], name=[r.get('name', r['method']) for r in recs],
                                    steps=[r['history'].get('steps', np.nan) for r in recs])
    rt, og = (df[df.name == m].set_index(['cls', 'seed']) for m in ('retrain', 'original'))
    rows = [dict(cls=r.cls, seed=r.seed, name=r['name'], Test_f=r.Test_f, dTest_r_original=r.Test_r - og.loc[(r.cls, r.seed), 'Test_r'],
                 dTest_r=r.Test_r - rt.loc[(r.cls, r.seed), 'Test_r'], dTrain_r=r.Train_r - rt.loc[(r.cls, r.seed), 'Train_r'],
                 dASR=r.ASR - rt.loc[(r.cls, r.seed), 'ASR'], gap=r['Avg Gap'], steps=r.steps, time=r.time)
            for _, r in df[df.name.isin(list(VARIANTS))].iterrows() if (r.cls, r.seed) in rt.index]
    t = pd.DataFrame(rows).set_index(['cls', 'seed', 'name']).sort_index()
    return t, t.groupby('name').mean().assign(n=t.groupby('name').size())

def main(out, classes, seeds, engine, table_only):
    import pandas as pd
    if not table_only:
        import torch
        torch.set_num_threads(1 if engine == 'ray' else 2)
        register()
        from laf_nb.cli import train_recipe
        from laf_nb.experiments import Experiment
        from laf_nb.engines import run_experiments
        exps = [Experiment(dataset='mnist5k', task='class', task_options=dict(classes=c), seeds=[s], train=train_recipe('mnist5k'),
                           out=out, tsne=False, methods=('original', 'retrain', *VARIANTS), variants=VARIANTS)
                for s in seeds for c in classes]
        run_experiments(exps, engine, quiet=True, **(dict(cpus_per_job=1) if engine == 'ray' else {}))
    runs, means = table(out)
    with pd.option_context('display.width', 200, 'display.max_columns', 20):
        print(runs.round(2).to_string()); print(means.round(2).to_string())

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', default='results/per_class/align_dev')
    p.add_argument('--classes', type=ints_arg, default=[0, 1, 2, 3, 4])
    p.add_argument('--seeds', type=ints_arg, default=[10, 11])
    p.add_argument('--engine', default='ray', choices=('local', 'ray'))
    p.add_argument('--table', dest='table_only', action='store_true', help='print the table of OUT; run nothing')
    main(**vars(p.parse_args()))
