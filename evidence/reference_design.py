#!/usr/bin/env python
"""laf_nb's LAF against the reference design: the same algorithm built the way the authors' code builds it.

`reference_laf` is LAF with laf_nb's own losses, VAE class and VAE loss, so that the only differences from
`laf_nb.laf.laf_unlearn` are structural:

- data: a `Dataset` that returns one float image per item, batched by `DataLoader(batch_size=32, shuffle=True)` with
  a seeded generator (the authors' loaders also converted each image from PIL; that cost is left out here, so the
  comparison is conservative);
- VAEs: each VAE epoch iterates the `DataLoader` over D (for h) or D_f (for h_f) and runs the frozen extractor on
  every batch, under `no_grad`, before the VAE step;
- the loop: two `DataLoader`s, of D_f and of D_r, paired by `zip`; for each pair the student's representations of
  B_r and B_f, an L_UE step, then again both, the teacher's (a frozen deep copy of the model) computed afresh under
  `no_grad`, and an L_RA step.

It accepts the configurations that describe the reference algorithm (pairing='zip', schedule='alternate', no early
stop). `design_bench` times, per task and side by side in one run, Original, Retrain, LAF (both stages), LAF+R and
the reference design, each in a `laf_nb.bench.Measure` (wall and CPU time, peak memory), and scores every model with
`evaluate`; it wrote results/performance/bench_fashion*.csv (through evidence/fashion_bench.py).

usage:
  python evidence/reference_design.py --check      the structural checks of reference_laf on a slice of mnist5k (~1 min)
  python evidence/reference_design.py [--dataset mnist5k] [--tasks class] [--train-epochs N] [--laf-epochs N]
         [--vae-epochs N] [--no-reference] [--cache-dir DIR] [--out FILE.csv] [--threads N]
                                                   the side-by-side benchmark, printed (and written with --out)
"""
from __future__ import annotations
import argparse, copy, os, sys, time

import torch
from torch.utils.data import DataLoader, Dataset
from fastprogress.fastprogress import master_bar, progress_bar

from laf_nb.data import DATASET_NAMES, TASKS, load_dataset, make_split, stage_generator, unlearning_sets
from laf_nb.models import check_split_model, extractor_parameters, head_parameters, representation_size
from laf_nb.train import atomic_write, get_device, tensor_digest, train_cached
from laf_nb.vae import RepVAE, vae_loss
from laf_nb.losses import alignment_loss, extractor_unlearning_loss
from laf_nb.laf import LAFConfig, laf_config, laf_unlearn, repair
from laf_nb.eval import avg_gap, evaluate, gap_columns
from laf_nb.methods import method_labels, train_config, train_original
from laf_nb.bench import Measure


# ----------------------------------------------------------------------------------------------- the reference design
class ItemImages(Dataset):
    "The reference's data pipeline: item `i` is the float image `x[idx[i]]` in [0, 1], one at a time."
    def __init__(self, x, idx): self.x, self.idx = x, torch.as_tensor(idx).long()
    def __len__(self): return len(self.idx)
    def __getitem__(self, i): return self.x[self.idx[i]].float().div(255)


def _loader(x, idx, bs, gen: torch.Generator):
    "A shuffling per-item `DataLoader` over `x[idx]` whose order comes from `gen`."
    return DataLoader(ItemImages(x, idx), batch_size=bs, shuffle=True, generator=gen)


def _reference_checks(cfg):
    if not isinstance(cfg, LAFConfig): raise ValueError(f"reference_laf: cfg={cfg!r} must be a LAFConfig (see laf_config)")
    for name, ref in (('pairing', 'zip'), ('schedule', 'alternate'), ('stop', None)):
        if getattr(cfg, name) != ref:
            raise ValueError(f"reference_laf: cfg.{name}={getattr(cfg, name)!r}; the reference design has only {name}={ref!r}")


def reference_laf(
    model,  # the trained model (features/head contract); left unchanged
    x,  # uint8 images of the training set, N×C×H×W
    forget,  # indices of D_f
    remain,  # indices of D_r
    cfg: LAFConfig = None,  # hyper-parameters; None: `LAFConfig()` (reference class removal, CNN)
    device=None,  # None: `get_device()`
    seed: int = 0,  # seeds the VAEs, the loaders' order and the sampled codes
    quiet: bool = True,  # no progress bars
):
    "LAF built as the reference code builds it (per-item loaders, extractor re-run every VAE epoch, teacher per step); returns (model, history)."
    check_split_model(model)
    cfg = LAFConfig() if cfg is None else cfg
    _reference_checks(cfg)
    _, forget, remain = unlearning_sets(x, forget, remain, 'reference_laf')
    device = get_device(device)
    t0 = time.perf_counter()
    teacher = copy.deepcopy(model).to(device).eval().requires_grad_(False)
    d = representation_size(teacher, x[:1])
    gens = {i: stage_generator(seed, 30 + i) for i in range(6)}  # per-stage generators derived from the seed
    def make_vae(i):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(gens[i].initial_seed())
            return RepVAE(d, cfg.k, cfg.sigmoid).to(device).train()
    vaes = {name: make_vae(i) for i, name in enumerate(('h', 'h_f'))}
    data = {'h': torch.cat([forget, remain]) if cfg.h_on == 'all' else remain, 'h_f': forget}
    vopt = {k: torch.optim.Adam(v.parameters(), lr=cfg.vae_lr) for k, v in vaes.items()}
    vdl = {k: _loader(x, data[k], cfg.vae_bs, gens[2]) for k in vaes}
    noise = torch.Generator(device=device).manual_seed(gens[3].initial_seed())
    hist = dict(ue_loss=[], ra_loss=[], ue_epoch=[], ra_epoch=[], vae_h=dict(loss=[], epoch_loss=[]),
                vae_hf=dict(loss=[], epoch_loss=[]))
    plan = [(k, e) for k in ('h', 'h_f') for e in range(cfg.vae_epochs)] + [('laf', e) for e in range(cfg.epochs)]
    mb = plan if quiet else master_bar(plan)
    bar = lambda it, total=None: it if quiet else progress_bar(it, total=total, parent=mb, leave=False)
    student = opt = None
    for stage, epoch in mb:
        if stage != 'laf':  # one VAE epoch: the frozen extractor runs over the data again
            vae, losses, t_v = vaes[stage], [], time.perf_counter()
            for xb in bar(vdl[stage]):
                with torch.no_grad(): e = teacher.features(xb.to(device)).flatten(1)
                recon, mu, logvar = vae(e, generator=noise)
                loss = vae_loss(recon, e, mu, logvar, cfg.kl_weight)
                vopt[stage].zero_grad(set_to_none=True); loss.backward(); vopt[stage].step()
                losses.append(loss.detach())
            losses = torch.stack(losses).float().cpu()
            if not torch.isfinite(losses).all(): raise FloatingPointError(f"reference_laf: non-finite VAE loss ({stage}), epoch {epoch}")
            hv = hist['vae_hf' if stage == 'h_f' else 'vae_h']
            hv['loss'] += losses.tolist(); hv['epoch_loss'].append(losses.mean().item())
            hv['time'] = hv.get('time', 0.0) + time.perf_counter() - t_v
            continue
        if student is None:  # the VAE stage is over: freeze the VAEs, set up the student
            h, h_f = (vaes[k].eval().requires_grad_(False) for k in ('h', 'h_f'))
            hist['time_vae'], t1 = time.perf_counter() - t0, time.perf_counter()
            student = copy.deepcopy(model).to(device).eval()
            flags = {id(p): p.requires_grad for p in student.parameters()}
            params = extractor_parameters(student)
            for p in head_parameters(student): p.requires_grad_(False)
            for p in params: p.requires_grad_(True)
            opt = dict(ue=torch.optim.Adam(params, lr=cfg.lr_ue), ra=torch.optim.Adam(params, lr=cfg.lr_ra))
            dl_f, dl_r = _loader(x, forget, cfg.bs, gens[4]), _loader(x, remain, cfg.bs, gens[5])
        ue, ra = [], []
        for xf, xr in bar(zip(dl_f, dl_r), total=min(len(dl_f), len(dl_r))):
            xf, xr = xf.to(device), xr.to(device)
            l = extractor_unlearning_loss(student.features(xr).flatten(1), student.features(xf).flatten(1), h, h_f, generator=noise)
            opt['ue'].zero_grad(set_to_none=True); l.backward(); opt['ue'].step(); ue.append(l.detach())
            with torch.no_grad(): t_r, t_f = teacher.features(xr).flatten(1), teacher.features(xf).flatten(1)
            l = alignment_loss(student.features(xr).flatten(1), t_r, student.features(xf).flatten(1), t_f, cfg.tau)
            opt['ra'].zero_grad(set_to_none=True); l.backward(); opt['ra'].step(); ra.append(l.detach())
        for k, v in (('ue', ue), ('ra', ra)):
            v = torch.stack(v).float().cpu()
            if not torch.isfinite(v).all(): raise FloatingPointError(f"reference_laf: non-finite L_{k.upper()}, epoch {epoch}")
            hist[f'{k}_loss'] += v.tolist(); hist[f'{k}_epoch'].append(v.mean().item())
    if student is None:  # no LAF epochs
        h, h_f = (vaes[k].eval().requires_grad_(False) for k in ('h', 'h_f'))
        hist['time_vae'], t1, student, flags = time.perf_counter() - t0, time.perf_counter(), copy.deepcopy(model).to(device).eval(), {}
    for p in student.parameters(): p.requires_grad_(flags.get(id(p), p.requires_grad)); p.grad = None
    hist['epochs_run'], hist['vaes'] = len(hist['ue_epoch']), (h, h_f)
    hist['time_unlearn'] = time.perf_counter() - t1
    hist['time'] = time.perf_counter() - t0
    return student.eval(), hist


def check():
    "The structural checks of the reference design on part of mnist5k class removal (raises AssertionError on failure)."
    ds = load_dataset('mnist5k')
    dl = _loader(ds.x_train, torch.arange(100), 32, torch.Generator().manual_seed(0))
    xb = next(iter(dl))
    assert (xb.shape, xb.dtype, len(dl)) == ((32, 1, 28, 28), torch.float32, 4) and 0 <= xb.min() and xb.max() <= 1
    assert torch.equal(next(iter(_loader(ds.x_train, torch.arange(100), 32, torch.Generator().manual_seed(0)))), xb)  # seeded
    sp = make_split(ds.y_train, 'class', seed=0)
    original = train_cached('cnn', ds.x_train, sp.y, torch.arange(len(sp.y)), seed=0, epochs=20)
    short, f, r = laf_config('class', epochs=1, vae_epochs=1), sp.forget[:160], sp.remain[:800]
    m_ref, h_ref = reference_laf(original, ds.x_train, f, r, short, seed=0)
    m_laf, h_laf = laf_unlearn(original, ds.x_train, f, r, short, seed=0, quiet=True)
    print(f"reference: VAE stage {h_ref['time_vae']:.1f}s, extractor stage {h_ref['time_unlearn']:.1f}s; "
          f"laf_nb: {h_laf['time_vae']:.1f}s, {h_laf['time_unlearn']:.1f}s")
    assert len(h_ref['ue_loss']) == len(h_laf['ue_loss']) == 160 // 32  # zip pairing: ceil(|D_f|/32) steps per epoch in both
    assert len(h_ref['vae_h']['loss']) == 960 // 32 and len(h_ref['vae_hf']['loss']) == 160 // 32  # h fitted on all of D
    assert all(torch.equal(a, b) for a, b in zip(head_parameters(m_ref), head_parameters(original)))  # head untouched
    assert any(not torch.equal(a, b) for a, b in zip(extractor_parameters(m_ref), extractor_parameters(original)))
    assert all(p.requires_grad for p in m_ref.parameters()) and not original.training
    sd, sd2 = m_ref.state_dict(), reference_laf(original, ds.x_train, f, r, short, seed=0)[0].state_dict()
    assert all(torch.equal(sd[k], sd2[k]) for k in sd)  # same seed, same weights
    for bad, msg in ((lambda: reference_laf(original, ds.x_train, f, r, laf_config('class', pairing='cycle')),
                      "cfg.pairing='cycle'; the reference design has only pairing='zip'"),
                     (lambda: reference_laf(original, ds.x_train, f, f), "overlap")):
        try: bad(); raise AssertionError(f"no error; expected {msg!r}")
        except ValueError as e: assert msg in str(e), e
    print("reference design: all checks passed")


# -------------------------------------------------------------------------------------------- the side-by-side run
DESIGN_STAGES = ('original', 'retrain', 'laf', 'laf: vae', 'laf: extractor', 'laf+r', 'reference', 'reference: vae',
                 'reference: extractor')


def _args(dataset, tasks, train_epochs, laf_overrides, label_fraction):
    "Validated (tasks, overrides); raises ValueError naming the bad argument."
    if dataset not in DATASET_NAMES: raise ValueError(f"dataset={dataset!r}; allowed: {', '.join(DATASET_NAMES)}")
    tasks = tuple(tasks.split(',')) if isinstance(tasks, str) else tuple(tasks)
    if not tasks: raise ValueError(f"tasks is empty; allowed: {', '.join(TASKS)}")
    for t in tasks:
        if t not in TASKS: raise ValueError(f"tasks={t!r}; allowed: {', '.join(TASKS)}")
    if train_epochs is not None and (isinstance(train_epochs, bool) or not isinstance(train_epochs, int) or train_epochs < 1):
        raise ValueError(f"train_epochs={train_epochs!r} must be None or an int >= 1")
    if isinstance(label_fraction, bool) or not isinstance(label_fraction, (int, float)) or not 0 < label_fraction <= 1:
        raise ValueError(f"label_fraction={label_fraction!r} must be a number in (0, 1]")
    laf_config('class', **(laf_overrides or {}))  # unknown fields or bad values raise here
    return tasks, dict(laf_overrides or {})


def _row(dataset, task, stage, seconds, meas=None, metrics=None, ref=None, cols=(), **extra):
    r = dict(dataset=dataset, task=task, stage=stage, seconds=float(seconds), cpu_seconds=getattr(meas, 'cpu_seconds', float('nan')),
             peak_mib=getattr(meas, 'peak_mib', float('nan')), extra_mib=getattr(meas, 'extra_mib', float('nan')),
             memory=getattr(meas, 'kind', ''), **extra)
    if metrics is not None:
        r.update(metrics)
        r['Avg Gap'] = avg_gap(metrics, ref, cols) if ref is not None else float('nan')
    return r


def design_bench(
    dataset: str = 'fashion',  # one of `DATASET_NAMES`
    tasks=('class', 'data', 'noisy'),  # tasks to run (a tuple or a comma-separated string)
    seed: int = 0,  # seeds the split, the training, LAF and the attacks
    reference: bool = True,  # also run the reference design (`reference_laf`)
    device=None,  # None: `get_device()`
    data_root=None,  # `load_dataset`'s root
    cache_dir=False,  # model cache of Original/Retrain: False (train and time them), None (the default cache) or a folder
    quiet: bool = False,  # no progress bar
    train_epochs: int = None,  # epochs of Original and Retrain; None: the paper's 20
    laf_overrides: dict = None,  # `LAFConfig` fields overriding the reference values (same for LAF and the reference)
    label_fraction: float = 0.1,  # label budget p of LAF+R's repair
    attacks=('asr',),  # attacks `evaluate` runs
):
    "Time and memory of Original, Retrain, LAF (both stages), LAF+R and the reference design per task; a DataFrame, one row per (task, stage)."
    import pandas as pd
    tasks, over = _args(dataset, tasks, train_epochs, laf_overrides, label_fraction)
    device = get_device(device)
    ds = load_dataset(dataset, data_root)
    x = ds.x_train
    rows, originals = [], {}
    mb = tasks if quiet else master_bar(tasks)
    for task in mb:
        sp = make_split(ds.y_train, task, seed=seed)
        tcfg = train_config(task, 'cnn', **({} if train_epochs is None else dict(epochs=train_epochs)))
        cfg = laf_config(task, 'cnn', **over)
        cols = gap_columns(task, attacks)
        base = dict(n_forget=len(sp.forget), n_remain=len(sp.remain))
        steps = ['original', 'retrain', 'laf', 'laf+r'] + (['reference'] if reference else [])
        out, sub, bar = {}, {}, (steps if quiet else progress_bar(steps, parent=mb, leave=False))
        for stage in bar:
            if stage == 'original':
                key = tensor_digest(sp.y)
                if key in originals: model, meas, note = (*originals[key][:2], f"same model as task {originals[key][2]!r}")
                else:
                    with Measure(device) as meas: model = train_original(x, sp, tcfg, seed, device, cache_dir)
                    note = 'cached' if model.train_info.get('cached') else ''
                    originals[key] = (model, meas, task)
                out[stage] = (model, model.train_info.get('time', meas.seconds), meas, dict(epochs=tcfg.epochs, note=note))
            elif stage == 'retrain':
                with Measure(device) as meas:
                    model = train_cached('cnn', x, sp.y_clean, sp.remain, seed=seed, cache_dir=cache_dir, device=device,
                                         n_classes=int(sp.y_clean.max()) + 1, **tcfg.fit_kwargs())
                out[stage] = (model, model.train_info.get('time', meas.seconds), meas,
                              dict(epochs=tcfg.epochs, note='cached' if model.train_info.get('cached') else ''))
            elif stage == 'laf':
                with Measure(device) as meas: model, lh = laf_unlearn(out['original'][0], x, sp.forget, sp.remain, cfg, device, seed, quiet=True)
                out[stage] = (model, lh['time'], meas, dict(epochs=cfg.epochs, note=''))
                sub = {'laf: vae': lh['time_vae'], 'laf: extractor': lh['time_unlearn']}
            elif stage == 'laf+r':
                lab = method_labels('remain', sp, label_fraction, seed)
                with Measure(device) as meas: model, rh = repair(out['laf'][0], x, lab.dense, lab.remain, device=device, seed=seed)
                meas.cpu_seconds += out['laf'][2].cpu_seconds  # LAF+R's time is LAF's plus the repair's (the peak: the repair's)
                out[stage] = (model, out['laf'][1] + rh['time'], meas,
                              dict(epochs=cfg.epochs, note=f"LAF + repair of the head ({rh['time']:.1f}s, p={label_fraction:g})"))
            else:
                with Measure(device) as meas: model, rfh = reference_laf(out['original'][0], x, sp.forget, sp.remain, cfg, device, seed)
                out[stage] = (model, rfh['time'], meas, dict(epochs=cfg.epochs, note=''))
                sub.update({'reference: vae': rfh['time_vae'], 'reference: extractor': rfh['time_unlearn']})
            if not quiet: mb.write(f"{task} {stage}: {out[stage][1]:.1f}s, peak {meas.peak_mib:.0f} MiB")
        metrics = {k: evaluate(m, ds, sp, seed=seed, attacks=attacks, device=device) for k, (m, *_) in out.items()}
        for stage in DESIGN_STAGES:
            if stage in out:
                _, secs, meas, ex = out[stage]
                rows.append(_row(dataset, task, stage, secs, meas, metrics[stage], metrics['retrain'], cols, **base, **ex))
            elif stage in sub:
                rows.append(_row(dataset, task, stage, sub[stage], **base, epochs=cfg.epochs, note='part of ' + stage.split(':')[0]))
    return pd.DataFrame(rows)


def design_ratios(df):
    "Per task: LAF / Retrain (total, VAE stage, extractor stage), LAF+R / Retrain, laf_nb / reference and both Avg Gaps."
    import pandas as pd
    out = {}
    for task, g in df.groupby('task', sort=False):
        s = g.set_index('stage')['seconds']
        gap = g.set_index('stage').get('Avg Gap', pd.Series(dtype=float))
        r = {'LAF / Retrain': s['laf'] / s['retrain'], 'LAF vae / Retrain': s['laf: vae'] / s['retrain'],
             'LAF extractor / Retrain': s['laf: extractor'] / s['retrain'], 'LAF+R / Retrain': s['laf+r'] / s['retrain']}
        c = g.set_index('stage')['cpu_seconds']
        r['LAF / Retrain (CPU)'] = c['laf'] / c['retrain'] if not g.set_index('stage').loc['retrain'].get('note') else float('nan')
        if 'reference' in s:
            r.update({'laf_nb / reference': s['laf'] / s['reference'], 'laf_nb / reference (CPU)': c['laf'] / c['reference'],
                      'vae: laf_nb / reference': s['laf: vae'] / s['reference: vae'],
                      'extractor: laf_nb / reference': s['laf: extractor'] / s['reference: extractor'],
                      'Avg Gap laf_nb': gap.get('laf', float('nan')), 'Avg Gap reference': gap.get('reference', float('nan'))})
        out[task] = r
    return pd.DataFrame(out).T


def read_design_bench(path):
    "A table written by `design_bench` (a CSV file), with its empty text cells read back as ''."
    import pandas as pd
    return pd.read_csv(path).fillna({'memory': '', 'note': ''})


def print_design_bench(df, file=None):
    "Print the side-by-side run: seconds, CPU seconds and memory per (task, stage), the metrics and the ratios."
    p = lambda *a: print(*a, file=file or sys.stdout)
    ds, kinds = ', '.join(df['dataset'].unique()), [k for k in df['memory'].unique() if k]
    p(f"Benchmark on {ds}; peak memory = {'; '.join(kinds)}")
    order = lambda t: t.reindex([s for s in DESIGN_STAGES if s in t.index])
    measured = df[df.memory != '']
    p("\nwall time (s):"); p(order(df.pivot(index='stage', columns='task', values='seconds')).round(1).to_string())
    p("\nCPU time of the process (s; for cached or shared models: of loading them):")
    p(order(measured.pivot(index='stage', columns='task', values='cpu_seconds')).round(1).to_string())
    p("\nmemory added by the stage above what was in use before it (MiB):")
    p((order(measured.pivot(index='stage', columns='task', values='extra_mib')).round(0) + 0.0).to_string())
    cols = [c for c in ('Train_r', 'Train_f', 'Test', 'Test_r', 'Test_f', 'ASR', 'Avg Gap') if c in df.columns]
    p("\nmetrics:"); p(measured.set_index(['task', 'stage'])[cols].round(2).to_string())
    p("\nratios:"); p(design_ratios(df).round(3).to_string())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('usage:')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--check', action='store_true', help="run the structural checks of reference_laf (mnist5k) and exit")
    p.add_argument('--dataset', default='mnist5k', help=f"one of {', '.join(DATASET_NAMES)} (default: mnist5k)")
    p.add_argument('--tasks', default='class', help="comma-separated tasks among data, class, noisy (default: class)")
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--train-epochs', type=int, default=None, help="epochs of Original and Retrain (default: the paper's 20)")
    p.add_argument('--laf-epochs', type=int, default=None, help="LAF's epochs, both designs (default: the task's reference value)")
    p.add_argument('--vae-epochs', type=int, default=None, help="VAE epochs, both designs (default: 10)")
    p.add_argument('--no-reference', dest='reference', action='store_false', help="skip the reference design")
    p.add_argument('--cache-dir', default=False, help="a model folder: Original/Retrain are loaded from it when there, else trained and kept there (default: trained, timed and kept nowhere)")
    p.add_argument('--out', default=None, help="also write the table to this CSV file")
    p.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    if a.check: return check()
    over = {k: v for k, v in dict(epochs=a.laf_epochs, vae_epochs=a.vae_epochs).items() if v is not None}
    try: _args(a.dataset, a.tasks, a.train_epochs, over, 0.1)
    except ValueError as e: p.error(str(e))
    df = design_bench(a.dataset, a.tasks, a.seed, a.reference, cache_dir=a.cache_dir, train_epochs=a.train_epochs,
                      laf_overrides=over)
    print_design_bench(df)
    if a.out:
        atomic_write(a.out, lambda tmp: df.to_csv(tmp, index=False))
        print(f"\nwritten: {a.out}")


if __name__ == '__main__': main()
