"""The documentation site: `scripts/build_docs.py` builds it offline, and every page renders in headless Chromium
with its title, prose, maths, API entries and figures, and without a browser error.

Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them): without them the site is still built and its
list of pages checked, then the test skips (it fails under `CI=true`; see `conftest.need`).
"""
import ast, json, re, shutil, subprocess, sys, time
from configparser import ConfigParser
from pathlib import Path

import pytest

from conftest import need

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / 'nbs'
CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
CHROMEDRIVER = shutil.which('chromedriver') or '/usr/bin/chromedriver'
CHROME_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
               '--disable-background-networking', '--disable-component-update', '--disable-sync',
               '--disable-dev-shm-usage', '--window-size=1280,1400']
# Chapters that show figures today: losing them all from one of these pages is a regression.
FIGURE_PAGES = {'data.html', 'train.html', 'vae.html', 'experiments.html'}
SCREENSHOTS = ['index.html', 'laf.html', 'vae.html']
_DIRECTIVE = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')
_PLAIN = re.compile(r"^[A-Za-z][A-Za-z'-]*[,.;:]?$")


def _src(cell): return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']


def _directives(src):
    out = {}
    for line in src.splitlines():
        m = _DIRECTIVE.match(line)
        if not m: break
        out[m.group(1).lower()] = m.group(2).lower()
    return out


def _probe(md):
    "The longest run (4 to 12 words) of plain words in a paragraph: text that must appear on the page as is."
    best, run = [], []
    for tok in md.split():
        if _PLAIN.match(tok):
            run.append(tok)
            if len(run) > len(best): best = list(run)
        else: run = []
    return ' '.join(best[:12]) if len(best) >= 4 else None


def expectations(nb_path):
    "What the page made from `nb_path` must show, read from the source notebook itself."
    nb = json.loads(nb_path.read_text())
    cells = nb['cells']
    first = _src(cells[0]).strip().splitlines()
    title = first[0][2:].strip() if first and first[0].startswith('# ') else None
    summary = next((l[1:].strip() for l in first[1:] if l.startswith('>')), None)
    probes, pngs, maths, module = [], 0, 0, None
    for cell in cells[1:]:
        src = _src(cell)
        if cell['cell_type'] == 'markdown':
            probes += [p for p in map(_probe, re.split(r'\n\s*\n', src)) if p]  # one per paragraph
            maths += len(re.findall(r'\$', src)) > 1
        elif cell['cell_type'] == 'code':
            d = _directives(src)
            if 'default_exp' in d: module = src.split('default_exp', 1)[1].split()[0]
            if 'hide' in d or d.get('include') == 'false' or d.get('output') == 'false': continue
            pngs += sum('image/png' in o.get('data', {}) for o in cell.get('outputs', []))
    return dict(title=title, summary=summary, probes=probes, pngs=pngs, maths=maths, module=module)


def api_names(module):
    "Public functions and classes that `laf_nb.<module>` exports: nbdev documents each with a `show_doc` entry."
    src = (ROOT / 'laf_nb' / f'{module}.py').read_text()
    tree = ast.parse(src)
    exported = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == '__all__' for t in node.targets):
            exported = set(ast.literal_eval(node.value))
    return sorted(n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                  and n.name in exported)


def _page_file(nb_path):
    return 'index.html' if nb_path.stem == 'index' else re.sub(r'^\d+[a-z]?_', '', nb_path.stem) + '.html'


PAGE_JS = r"""
const remote = u => /^(https?:)?\/\//.test(u || '');
const math = [...document.querySelectorAll('math')];
return {
  h1: [...document.querySelectorAll('h1')].map(h => h.innerText.trim()),
  description: (document.querySelector('header .description') || {}).innerText || '',
  headings: Object.fromEntries([...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].filter(h => h.id)
                               .map(h => [h.id, h.tagName])),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  images: [...document.images].map(i => ({complete: i.complete, w: i.naturalWidth, src: i.src.slice(0, 40)})),
  text: document.body.innerText,
  links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
  remote: [...document.querySelectorAll('script[src],link[href],img[src],iframe[src]')]
            .map(e => e.getAttribute('src') || e.getAttribute('href')).filter(remote),
  maths: math.length,
  mathsShown: math.filter(m => m.getBoundingClientRect().width > 0).length,
  mathErrors: document.querySelectorAll('.math-error').length,
  codeCells: document.querySelectorAll('.jp-CodeCell').length,
  nav: [...document.querySelectorAll('nav.site-nav a')].map(a => a.getAttribute('href')),
};
"""


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    "The site built from a snapshot of `nbs/` (the expectations are read from the same snapshot)."
    out = tmp_path_factory.mktemp('docs')
    shutil.copytree(NBS, out / 'nbs', ignore=shutil.ignore_patterns('.*'))
    t0 = time.time()
    subprocess.run([sys.executable, str(ROOT / 'scripts' / 'build_docs.py'), '--out', str(out / '_docs'),
                    '--proc', str(out / '_proc'), '--nbs', str(out / 'nbs')], check=True, cwd=ROOT)
    print(f'site built in {time.time() - t0:.0f}s: {out / "_docs"}')
    return out / '_docs'


@pytest.fixture(scope='module')
def browser(tmp_path_factory):
    need(Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists(), "Debian's chromium and chromium-driver",
         'apt-get install chromium chromium-driver')
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in CHROME_ARGS + [f'--user-data-dir={tmp_path_factory.mktemp("chromium-profile")}']: opts.add_argument(a)
    opts.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    driver = webdriver.Chrome(options=opts, service=Service(executable_path=CHROMEDRIVER))  # no Selenium Manager
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def test_docs_render_in_chromium(site, request, tmp_path_factory):
    notebooks = sorted((site.parent / 'nbs').glob('*.ipynb'), key=lambda p: (p.stem != 'index', p.name))
    built = json.loads((site / 'site.json').read_text())
    assert [p['file'] for p in built] == [_page_file(nb) for nb in notebooks], 'one page per notebook, index first'
    assert all((site / p['file']).is_file() for p in built), 'a page listed in site.json was not written'
    browser = request.getfixturevalue('browser')  # checked after the build: the build needs no browser
    browser.get_log('browser')  # start from an empty console log
    shots = tmp_path_factory.mktemp('screenshots')
    problems, pages = [], {}
    for nb in notebooks:
        name, exp = _page_file(nb), expectations(nb)
        browser.get((site / name).as_uri())
        page = pages[name] = browser.execute_script(PAGE_JS)
        bad = lambda msg: problems.append(f'{name}: {msg}')
        if page['h1'] != [exp['title']]: bad(f"h1 {page['h1']} != the notebook's title {exp['title']!r}")
        letters = lambda t: re.sub(r'[^A-Za-z0-9]', '', t)  # the summary's markdown/maths render as code, MathML
        if exp['summary'] and letters(page['description']) != letters(exp['summary']):
            bad(f"description {page['description']!r} != the notebook's summary {exp['summary']!r}")
        text = ' '.join(page['text'].split())
        lost = [p for p in exp['probes'] if p not in text]
        if lost: bad(f'{len(lost)}/{len(exp["probes"])} prose passages missing, e.g. {lost[:3]}')
        if not exp['probes']: bad('no prose found in the notebook to check')
        if exp['module'] and not (ROOT / 'laf_nb' / f"{exp['module']}.py").exists():
            bad(f"laf_nb/{exp['module']}.py does not exist: run nbdev_export")
        elif exp['module']:
            names = api_names(exp['module'])
            missing = [n for n in names if not re.fullmatch(r'H[1-6]', page['headings'].get(n.lower(), ''))]
            if missing: bad(f'API entries missing for laf_nb.{exp["module"]}: {missing}')
            if not names and exp['module'] != '__init__':  # the home page's module is the package's __init__
                bad(f'laf_nb.{exp["module"]} exports no function or class')
        broken = [i['src'] for i in page['images'] if not (i['complete'] and i['w'] > 0)]
        if broken: bad(f'images that did not load: {broken}')
        if len(page['images']) < exp['pngs']: bad(f"{len(page['images'])} images, the notebook shows {exp['pngs']}")
        if name in FIGURE_PAGES and not page['images']: bad('no figure')
        if exp['maths'] and not page['maths']: bad('LaTeX in the notebook but no MathML on the page')
        if page['mathsShown'] < page['maths']: bad(f"{page['maths'] - page['mathsShown']} formulas not rendered")
        if page['mathErrors'] or '$$' in page['text']: bad('LaTeX left unconverted')
        if page['remote']: bad(f"loads from the network: {page['remote']}")
        if name != 'index.html' and not page['codeCells']: bad('no code cell')
        if page['nav'][1:] != [p['file'] for p in built]: bad(f"sidebar {page['nav']} lacks pages or their order")
        for entry in browser.get_log('browser'):
            if entry['level'] in ('SEVERE', 'ERROR'): bad(f"console: {entry['message']}")
        if name in SCREENSHOTS: browser.save_screenshot(str(shots / name.replace('.html', '.png')))
    for name, page in pages.items():  # links between our pages point at pages and anchors that exist
        for href in page['links']:
            if re.match(r'(https?:|mailto:)', href): continue
            target, _, anchor = href.partition('#')
            target = target or name
            if target not in pages: problems.append(f'{name}: link to a missing page {href}')
            elif anchor and anchor not in pages[target]['ids']:  # `#` alone is the top of the page
                problems.append(f'{name}: link to a missing anchor {href}')
    index = ' '.join(pages['index.html']['text'].split())
    for p in built[1:]:
        if p['title'] not in index: problems.append(f"index.html does not list the chapter {p['title']!r}")

    # The console check catches what the page logs: prove it by logging an error ourselves.
    browser.execute_script("console.error('laf-docs-probe')")
    assert any('laf-docs-probe' in e['message'] for e in browser.get_log('browser')), 'console errors are not captured'
    print(f'screenshots: {sorted(str(p) for p in shots.iterdir())}')
    assert len(list(shots.iterdir())) == len(SCREENSHOTS)
    assert not problems, '\n'.join(problems)


def test_quarto_files_match_settings():
    "`nbdev_docs` works where Quarto is installed: nbdev's own `_quarto.yml`/`nbdev.yml`, consistent with settings.ini."
    from nbdev.quarto import _nbdev_yml, _quarto_yml
    cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT / 'settings.ini'); cfg = cfg['DEFAULT']
    vals = {k: cfg[k] for k in ['title', 'description', 'branch', 'git_url', 'doc_host', 'doc_baseurl']}
    assert (NBS / 'nbdev.yml').read_text() == _nbdev_yml.format(doc_path=Path(cfg['doc_path']).name, **vals)
    quarto = (NBS / '_quarto.yml').read_text()
    for line in ['type: website', 'metadata-files: [nbdev.yml, sidebar.yml]']:  # what nbdev's template relies on
        assert line in quarto and line in _quarto_yml, f'nbs/_quarto.yml lacks {line!r}'
    assert 'css: styles.css' not in quarto or (NBS / 'styles.css').exists()
    ignored = (ROOT / '.gitignore').read_text().split()
    assert {'_docs/', '_proc/'} <= set(ignored)
