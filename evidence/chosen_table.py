"""The README's tables of every method at its chosen values, printed from the stored records.

For each task with records in `results/<dataset>/chosen/<task>` (written by `python evidence/paper.py experiments`):
the method, the labels it reads, the value chosen for it on the dataset's validation split
(`results/validation/<dataset>/<task>/choice.json`), its Avg Gap to Retrain (mean ± std over the seeds that ran),
the Avg Gap without the attack column (`gap_table` per seed, mean ± std), the task's main accuracies, n and failed
seeds; a method that failed at every seed reads 'failed' in each of them. Usage:

    python evidence/chosen_table.py [--dataset fashion] [--tasks class,data,noisy]
    python evidence/chosen_table.py --against REV    per method and task, the Avg Gap of the records stored in
                                                     results/<dataset>/<task> at git revision REV (an earlier set-up)
                                                     beside today's in results/<dataset>/chosen/<task>
"""
import argparse, json, subprocess, sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from laf_nb.data import TASKS
from laf_nb.experiments import evidence_path, gap_table, load_records, results_frame
from laf_nb.methods import METHODS

LABELS = dict(none='none', remain='D_r', forget='D_f', both='D_r, D_f')
SHOWN = dict(class_=('Test_f', 'Test_r'), data=('Train_f', 'Test'), noisy=('Train_f', 'Test'))  # the accuracies of each task's table


def chosen_value(choice:dict, method:str) -> str:
    "The value chosen for `method`, as the table writes it ('' for Original and Retrain)."
    fv = choice.get(method, {})
    return ', '.join(f"{'α' if f == 'alpha_frac' else 'β' if f == 'beta' else f} {v}" + (' of the ceiling' if f == 'alpha_frac' else '')
                     for f, v in fv.items())


def task_table(dataset:str, task:str) -> str:
    "The Markdown table of `task`'s records at the chosen values."
    folder = evidence_path(dataset, 'chosen', task)
    recs = load_records(folder)
    if not recs: return f"no records in {folder}"
    choice_file = evidence_path('validation', dataset, task, 'choice.json')
    choice = json.loads(choice_file.read_text())['chosen'] if choice_file.exists() else {}
    gaps, frame = gap_table(recs), results_frame(recs)
    by_seed = [gap_table([r for r in recs if r['seed'] == s]) for s in sorted({r['seed'] for r in recs})]  # each seed's gaps
    shown = SHOWN['class_' if task == 'class' else task]
    rows = [f"| method | labels | chosen value | Avg Gap | without the attack | {' | '.join(shown)} | n | failed |",
            '|' + '---|' * (7 + len(shown))]
    order = ['original', 'retrain', *sorted((m for m in gaps.index if m != 'original'), key=lambda m: (np.isnan(gaps.loc[m, 'Avg Gap']), gaps.loc[m, 'Avg Gap']))]  # failed everywhere: last
    for name in dict.fromkeys(order):
        method = name.split(' ')[0]
        sel = frame[frame.method == name]
        ok = sel[sel['Avg Gap'].notna()]
        mean_std = lambda c, d=2: (f"{ok[c].mean():.{d}f}" + (f" ± {ok[c].std(ddof=1):.{d}f}" if len(ok) > 1 else '')) if len(ok) else 'failed'
        label = '(reference)' if method in ('original', 'retrain') else LABELS[METHODS[method].labels]
        fractions = {r['label_fraction'] for r in recs if r['name'] == name.split(' (p=')[0]}
        if label not in ('(reference)', 'none'): label += ' (' + '/'.join('all' if f == 1 else f'{f:.0%}'.replace('%', ' %') for f in sorted(fractions)) + ')'
        na = [g.loc[name, 'Avg Gap (no attack)'] for g in by_seed if name in g.index and not g.loc[name, 'failed']]
        no_attack = '0' if name == 'retrain' else 'failed' if not na else f"{np.mean(na):.2f}" + (f" ± {np.std(na, ddof=1):.2f}" if len(na) > 1 else '')
        n, failed = (len(sel), 0) if name == 'retrain' else (int(gaps.loc[name, 'n']), int(gaps.loc[name, 'failed']))
        dampened = [r['history'].get('dampened') for r in recs if r['name'] == name.split(' (p=')[0] and 'history' in r]
        note = ' (dampens nothing)' if method in ('ssd', 'lfssd') and dampened and all(d == 0 for d in dampened) else ''
        rows.append(f"| {name.split(' (p=')[0]} | {label} | {chosen_value(choice, method)} | {mean_std('Avg Gap')}{note} | {no_attack} | "
                    + ' | '.join(mean_std(c, 1) for c in shown) + f" | {n} | {failed} |")
    return '\n'.join(rows)


def gap_cell(g, name) -> str:
    "Avg Gap mean ± std over the seeds that ran, with n and failed, of row `name` of a `gap_table` (or '–' if absent)."
    row = g.loc[g.index.str.split(' ').str[0] == name]
    if row.empty: return '–'
    if len(row) > 1: raise ValueError(f"gap_cell: {len(row)} rows for method {name!r} ({', '.join(row.index)}); give records with one row per method")
    r = row.iloc[0]
    gap = 'failed' if np.isnan(r['Avg Gap']) else f"{r['Avg Gap']:.2f}"
    return f"{gap} (n={int(r['n'])}, failed {int(r['failed'])})"


def against(dataset:str, task:str, rev:str) -> str:
    "Markdown table: each method's Avg Gap in the records of results/<dataset>/<task> at git revision `rev` and today's chosen records."
    path = f"results/{dataset}/{task}/results.jsonl"
    text = subprocess.run(['git', 'show', f"{rev}:{path}"], capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    if text.returncode: raise SystemExit(f"--against {rev}: no {path} at that revision ({text.stderr.strip()})")
    old = gap_table([json.loads(l) for l in text.stdout.splitlines() if l.strip()])
    new = gap_table(load_records(evidence_path(dataset, 'chosen', task)))
    names = dict.fromkeys(n.split(' ')[0] for n in [*new.index, *old.index])
    rows = [f"| method | Avg Gap at {rev} | Avg Gap now |", '|---|---|---|']
    return '\n'.join(rows + [f"| {n} | {gap_cell(old, n)} | {gap_cell(new, n)} |" for n in names])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--dataset', default='fashion')
    p.add_argument('--tasks', default=','.join(TASKS))
    p.add_argument('--against', default=None, metavar='REV', help='a git revision whose results/<dataset>/<task> records to compare with')
    a = p.parse_args(argv)
    for task in a.tasks.split(','):
        print(f"\n{task}\n\n{against(a.dataset, task, a.against) if a.against else task_table(a.dataset, task)}")


if __name__ == '__main__': main()
