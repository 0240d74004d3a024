"""What LAF does to the model, epoch by epoch, over a long step budget: class removal of each class, with the runner's
Original (`laf run`'s training recipe and seeds). For each (class, seed) it stores, in
ROOT/per_class/trajectories/<dataset>.jsonl, the sizes (|D_f|, steps per epoch), the VAEs' reconstruction errors
on D_f and D_r before unlearning, and per epoch the label-free signals (L_UE, L_RA, the share of D_f and of D_r
whose prediction changed) beside the accuracies they are meant to track (Train_f, Test_f, Test_r). The LAF chapter
plots them. Resumable: a (class, seed, steps) already stored is skipped.

usage: python evidence/laf_trajectories.py [--dataset mnist5k] [--classes 0,1,2,3,4] [--seeds 10,11] [--steps 2600]
                                          [--every 5] [--threads 1] [--root results]"""
import argparse, json, time
from pathlib import Path

def ints_arg(s):
    try: return [int(v) for v in s.split(',') if v]
    except ValueError: raise argparse.ArgumentTypeError(f"{s!r} must be a comma-separated list of ints") from None

def run_one(ds, c, seed, steps, every, device='cpu'):
    "One long LAF run on class `c` at `seed`, with the signals and accuracies recorded along the way."
    import torch
    from laf_nb.cli import train_recipe
    from laf_nb.data import make_split, stage_generator
    from laf_nb.experiments import train_config, train_original
    from laf_nb.laf import laf_config, laf_unlearn, pairs_per_epoch
    from laf_nb.train import accuracy, model_outputs
    from laf_nb.vae import reconstruction_error
    sp = make_split(ds.y_train, 'class', seed=seed, classes=c)
    original = train_original(ds.x_train, sp, train_config('class', **train_recipe(ds.name)), seed, device)
    cfg = laf_config('class', steps=steps, min_flips=None)
    test_f = torch.nonzero(ds.y_test == c).flatten(); test_r = torch.nonzero(ds.y_test != c).flatten()
    watch_r = sp.remain[torch.randperm(len(sp.remain), generator=stage_generator(seed, 26))[:1000]]
    pred_r0 = model_outputs(original, ds.x_train, watch_r, device=device).argmax(1)
    acc = lambda m: dict(Train_f=accuracy(m, ds.x_train, ds.y_train, sp.forget, device=device),
                         Test_f=accuracy(m, ds.x_test, ds.y_test, test_f, device=device),
                         Test_r=accuracy(m, ds.x_test, ds.y_test, test_r, device=device))
    rows = []
    def on_epoch(epoch, student, hist):
        row = dict(epoch=epoch + 1, steps=hist['steps_run'][0], flips=hist['flip_epoch'][-1], ue=hist['ue_epoch'][-1],
                   ra=hist['ra_epoch'][-1],
                   flips_r=(model_outputs(student, ds.x_train, watch_r, device=device).argmax(1) != pred_r0).float().mean().item())
        if (epoch + 1) % every == 0 or hist['steps_run'][0] >= steps: row.update(acc(student))
        rows.append(row)
    t0 = time.perf_counter()
    model, hist = laf_unlearn(original, ds.x_train, sp.forget, sp.remain, cfg, device=device, seed=seed, quiet=True,
                              on_epoch=on_epoch)
    h, h_f = hist['vaes']
    g = torch.Generator().manual_seed(0)
    feats = lambda idx: model_outputs(original, ds.x_train, idx, what='features', device=device).float().flatten(1)
    with torch.no_grad():
        e_f, e_r = feats(sp.forget), feats(watch_r)
        ell = dict(h_f_on_f=reconstruction_error(h_f, e_f, g).mean().item(), h_on_f=reconstruction_error(h, e_f, g).mean().item(),
                   h_on_r=reconstruction_error(h, e_r, g).mean().item(), h_f_on_r=reconstruction_error(h_f, e_r, g).mean().item())
    return dict(dataset=ds.name, cls=c, seed=seed, steps=steps, n_forget=len(sp.forget), n_remain=len(sp.remain),
                per_epoch=pairs_per_epoch(len(sp.forget), len(sp.remain), cfg), original=acc(original), ell=ell,
                rows=rows, time=time.perf_counter() - t0)

def main(dataset, classes, seeds, steps, every, threads, root):
    import torch
    torch.set_num_threads(threads)
    from laf_nb.data import load_dataset
    from laf_nb.train import atomic_write
    ds = load_dataset(dataset)
    path = Path(root) / 'per_class' / 'trajectories' / f'{dataset}.jsonl'
    path.parent.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        for c in classes:
            done = [json.loads(l) for l in path.read_text().splitlines()] if path.exists() else []
            if any((r['cls'], r['seed'], r['steps']) == (c, seed, steps) for r in done): continue
            r = run_one(ds, c, seed, steps, every)
            text = ''.join(json.dumps(d) + '\n' for d in [*done, r])
            atomic_write(path, lambda tmp: Path(tmp).write_text(text))
            last = r['rows'][-1]
            print(f"class {c} seed {seed}: |D_f| {r['n_forget']}, Test_f {r['original']['Test_f']:.1f} -> {last['Test_f']:.1f}, "
                  f"Test_r {r['original']['Test_r']:.1f} -> {last['Test_r']:.1f}, {r['time']:.0f} s", flush=True)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--dataset', default='mnist5k', choices=('mnist5k', 'fashion'))
    p.add_argument('--classes', type=ints_arg, default=[0, 1, 2, 3, 4])
    p.add_argument('--seeds', type=ints_arg, default=[10, 11])
    p.add_argument('--steps', type=int, default=2600)
    p.add_argument('--every', type=int, default=5)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--root', default='results')
    main(**vars(p.parse_args()))
