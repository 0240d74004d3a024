#!/usr/bin/env python
"""Build the documentation site offline, without Quarto: `python scripts/build_docs.py [--out _docs]`.

`nbdev_docs` needs Quarto, which cannot be installed everywhere. This script does the same first half of the
work with nbdev itself and replaces Quarto's rendering with nbconvert:

1. copies `settings.ini`, the library and `nbs/` into a staging folder and runs `nbdev_proc_nbs` there, with a
   stub `quarto` on PATH, which gives the processed notebooks (`show_doc` entries rendered for every exported
   function and class, `#|` directives applied, hidden and exported cells dropped); they are copied to `--proc`
   (default `_proc/`). Only nbdev's own step runs code (exported cells, imports and `show_doc` calls, to render
   the API entries); every other output on the pages is the one stored in the notebook.
2. converts each processed notebook to one HTML page (`NN_name.ipynb` -> `name.html`, as Quarto names them;
   `index.ipynb` is the home page and links every chapter in order) with nbconvert's lab template.

The pages load nothing from the network: LaTeX is converted to MathML here (latex2mathml; browsers render
MathML natively), figures are embedded as data URIs, the template's require.js, MathJax, mermaid and widget CDN
tags are left out, and remote images in markdown (the Colab badge) show their alt text. nbdev's links to
`doc_host`/`doc_baseurl` are made relative, so they work offline. `tests/test_docs.py` opens every page in
headless Chromium.
"""
import argparse, ast, html, json, os, re, shutil, subprocess, sys, tempfile, time
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# --- LaTeX -> MathML ---------------------------------------------------------------------------------------------
# Code (fenced or inline) is skipped; `$$...$$` is display maths, `$...$` inline maths (no space inside the dollars,
# not across a blank line, `\$` is a literal dollar).
_MATH = re.compile(r'(?P<code>```.*?```|`[^`\n]*`)'
                   r'|\$\$(?P<disp>.+?)\$\$'
                   r'|(?<![\\$])\$(?=[^\s$])(?P<inl>(?:[^$\\\n]|\\.|\n(?!\s*\n))+?)(?<=\S)\$', re.S)
_PH = 'LAFMATHPLACEHOLDER{}X'
_PH_RE = re.compile(r'(<p>\s*)?LAFMATHPLACEHOLDER(\d+)X(\s*</p>)?')


class Maths:
    "Swaps LaTeX in markdown for placeholders, and placeholders in the HTML for MathML."
    def __init__(self): self.items, self.errors = [], []

    def protect(self, md):
        def sub(m):
            if m.group('code'): return m.group('code')
            tex, display = (m.group('disp'), True) if m.group('disp') is not None else (m.group('inl'), False)
            self.items.append((tex.strip(), display))
            ph = _PH.format(len(self.items) - 1)
            return f'\n\n{ph}\n\n' if display else ph
        return _MATH.sub(sub, md)

    def mathml(self, i):
        from latex2mathml.converter import convert
        tex, display = self.items[i]
        try: return convert(tex, display='block' if display else 'inline')
        except Exception as e:  # keep the source visible rather than losing it; the docs test fails on this class
            self.errors.append(f'{tex!r}: {e}')
            return f'<code class="math-error">{html.escape(tex)}</code>'

    def restore(self, text):
        def sub(m):
            i = int(m.group(2))
            if self.items[i][1]: return f'<div class="math display">{self.mathml(i)}</div>'
            return (m.group(1) or '') + f'<span class="math inline">{self.mathml(i)}</span>' + (m.group(3) or '')
        return _PH_RE.sub(sub, text)


# --- staging and nbdev_proc_nbs ----------------------------------------------------------------------------------
def _config(root):
    cp = ConfigParser(delimiters=['='])
    cp.read(root / 'settings.ini')
    return cp['DEFAULT']


def _mixes_imports(src):
    "nbdev's own test (`processors._do_eval`): does this cell mix imports with other code?"
    code = '\n'.join(l for l in src.splitlines() if not l.lstrip().startswith(('%', '!')))
    try: tree = ast.parse(code)
    except SyntaxError: return False
    nodes = list(ast.walk(tree))
    return (any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in nodes)
            and any(isinstance(n, (ast.Expr, ast.Assign)) for n in nodes))


_EXEC_DIRS = re.compile(r'^#\|\s*(export|exports|exporti|exec_doc|eval\s*:)', re.M)


def stage_notebooks(nbs):
    """Mark code cells that mix imports and other code with `#| eval: false` in the staged copies.

    nbdev's docs processor runs every cell that contains an import (to have the names `show_doc` needs); a cell
    that also trains a model or uses an earlier cell's variables then runs (slowly) or fails outside the
    notebook's context. nbdev's FAQ asks for imports in cells of their own; until every chapter does that, the
    staged copy keeps such cells from running (their stored outputs are still shown). Returns the cells marked."""
    marked = []
    for nb_path in sorted(nbs.glob('*.ipynb')):
        nb = json.loads(nb_path.read_text())
        changed = False
        for i, cell in enumerate(nb['cells']):
            src = ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']
            if cell['cell_type'] != 'code' or _EXEC_DIRS.search(src) or 'nbdev_export()' in src: continue
            if _mixes_imports(src):
                cell['source'] = '#| eval: false\n' + src
                marked.append(f'{nb_path.name} cell {i}')
                changed = True
        if changed: nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False))
    return marked


def run_proc_nbs(root, stage, n_workers=None, nbs=None):
    """Copy the project into `stage` (the notebooks from `nbs`, default the project's), run `nbdev_proc_nbs` there
    with a stub quarto on PATH; return the `_proc` folder."""
    cfg = _config(root)
    nbs_name, lib_name = cfg.get('nbs_path', 'nbs'), cfg.get('lib_path', cfg.get('lib_name'))
    skip = shutil.ignore_patterns('.*', '__pycache__', '_proc', '_docs', '*.pt')
    shutil.copy(root / 'settings.ini', stage / 'settings.ini')
    shutil.copytree(root / lib_name, stage / lib_name, ignore=skip)  # nbdev rebuilds `_modidx.py` here, not in root
    shutil.copytree(Path(nbs) if nbs else root / nbs_name, stage / nbs_name, ignore=skip)
    marked = stage_notebooks(stage / nbs_name)
    if marked: print(f'not run while processing (cells mixing imports and other code): {", ".join(marked)}')

    stub = stage / '.stub-bin'
    stub.mkdir()
    (stub / 'quarto').write_text('#!/bin/sh\n'
                                 'echo "quarto is a stub here: scripts/build_docs.py renders without it" >&2\nexit 1\n')
    (stub / 'quarto').chmod(0o755)
    env = dict(os.environ, PATH=f'{stub}{os.pathsep}{os.environ.get("PATH", "")}')
    env.setdefault('MPLBACKEND', 'Agg'); env.setdefault('OMP_NUM_THREADS', '1')
    env.pop('IN_TEST', None)  # a test session's IN_TEST would make nbdev skip steps; nbdev sets it where it needs it
    exe = Path(sys.executable).with_name('nbdev_proc_nbs')
    cmd = [str(exe) if exe.exists() else 'nbdev_proc_nbs']
    if n_workers is not None: cmd += ['--n_workers', str(n_workers)]
    subprocess.run(cmd, cwd=stage, env=env, check=True)
    return stage / '_proc'


# --- one page per processed notebook -----------------------------------------------------------------------------
TEMPLATE = r"""{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block notebook_css -%}
<link rel="stylesheet" href="{{ resources.site.lab_css }}">
<style type="text/css">{{ resources.site.css }}</style>
{%- endblock notebook_css -%}
{%- block input -%}
<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline">
<div class="cm-editor cm-s-jupyter">
{{ cell.source | highlight_code(metadata=cell.metadata) }}
</div>
</div>
{%- endblock input -%}
{%- block body_header -%}
<body class="jp-Notebook laf-docs" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
<nav class="site-nav" aria-label="Chapters">
<a class="site-title" href="index.html">{{ resources.site.title | e }}</a>
<ol>
{%- for p in resources.site.pages %}
<li{% if p.file == resources.site.page.file %} class="current"{% endif %}>
<a href="{{ p.file }}">{{ p.title | e }}</a></li>
{%- endfor %}
</ol>
</nav>
<main>
<header class="page-header">
<h1 class="title" id="title">{{ resources.site.page.title | e }}</h1>
{%- if resources.site.page.description %}
<p class="description">{{ resources.site.page.description_html }}</p>
{%- endif %}
</header>
{%- endblock body_header -%}
{% block body_footer %}
{%- if resources.site.page.file == 'index.html' %}
<section class="chapters" id="chapters">
<h2>Chapters</h2>
<ol>
{%- for p in resources.site.pages if p.file != 'index.html' %}
<li><a href="{{ p.file }}">{{ p.title | e }}</a>{% if p.description %}: {{ p.description_html }}{% endif %}</li>
{%- endfor %}
</ol>
</section>
{%- endif %}
</main>
</body>
{% endblock body_footer %}
"""

LAB_CSS = 'lab.css'  # JupyterLab's stylesheet, written once for all pages
CSS = """
* { -webkit-print-color-adjust: exact; }
.jp-InputArea, .jp-InputArea-editor { overflow: hidden; }
.cm-editor.cm-s-jupyter .highlight pre { padding: var(--jp-code-padding) 4px; margin: 0; font-family: inherit;
  font-size: inherit; line-height: inherit; color: inherit; }
.jp-OutputArea-output pre { line-height: inherit; font-family: inherit; white-space: pre; overflow-x: auto; }
.jp-RenderedText pre { color: var(--jp-content-font-color1); font-size: var(--jp-code-font-size); }
.jp-Collapser { display: none; }
a.anchor-link { visibility: hidden; margin-left: .3em; text-decoration: none; }
h1:hover > a.anchor-link, h2:hover > a.anchor-link, h3:hover > a.anchor-link, h4:hover > a.anchor-link
  { visibility: visible; }
body.laf-docs { margin: 0; }
.site-nav { position: fixed; top: 0; left: 0; bottom: 0; width: 230px; overflow-y: auto; padding: 1.2rem 1rem;
  box-sizing: border-box; background: #f5f6f8; border-right: 1px solid #dde; font-size: 14px; }
.site-nav .site-title { display: block; font-weight: bold; font-size: 17px; margin-bottom: .8rem; color: #222; }
.site-nav ol { padding-left: 1.2rem; margin: 0; } .site-nav li { margin: .35rem 0; }
.site-nav li.current > a { font-weight: bold; color: #000; }
body.laf-docs > main { margin-left: 230px; padding: 1rem 2rem 3rem; max-width: 1100px; }
.page-header h1.title { margin: .5rem 0 .3rem; font-size: 2.1rem; }
.page-header .description { font-style: italic; font-size: 1.15rem; opacity: .75; margin-top: 0; }
.math.display { overflow-x: auto; margin: .6rem 0; } math { font-size: 1.08em; }
a.source-link { float: right; font-size: smaller; }
a > code { color: #1a5fb4; }
.remote-image { display: inline-block; padding: .1rem .5rem; border: 1px solid #bbb; border-radius: 4px;
  font-size: 90%; }
.chapters li { margin: .3rem 0; }
.jp-RenderedMarkdown pre { margin: .4rem 0 .9rem; padding: .5rem .7rem; background: #f5f5f5; overflow-x: auto; }
@media (max-width: 800px) { .site-nav { position: static; width: auto; border-right: 0; }
  body.laf-docs > main { margin-left: 0; } }
"""

_DIRECTIVE = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')
_PANDOC_LINK = re.compile(r'\[([^\]\n]+)\]\(([^)\s]+)\)\{([^}\n]*)\}')
_FENCED_DIV = re.compile(r'^:::.*$', re.M)


def _src(cell): return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']


def _split_directives(src):
    "Leading `#| key: value` lines -> (dict, rest of the source)."
    lines, dirs = src.splitlines(), {}
    while lines and _DIRECTIVE.match(lines[0]):
        k, v = _DIRECTIVE.match(lines.pop(0)).groups()
        dirs[k.lower()] = v.strip().lower()
    return dirs, '\n'.join(lines)


def _markdown(md, maths):
    "What Quarto would read differently from plain markdown: pandoc link attributes, fenced divs; then maths."
    def link(m):
        text, url = m.group(1), m.group(2)
        if text != 'source': return f'[{text}]({url})'
        return f'<a href="{html.escape(url)}" class="source-link" target="_blank">source</a>'
    md = _PANDOC_LINK.sub(link, md)
    md = _FENCED_DIV.sub('', md)
    return maths.protect(md)


def _frontmatter(nb):
    "Pop the YAML front matter nbdev put in the first raw cell."
    import yaml
    for i, cell in enumerate(nb.cells):
        m = re.match(r'\s*---\s*\n(.*?)\n---\s*$', _src(cell), re.S)
        if cell.cell_type == 'raw' and m:
            nb.cells.pop(i)
            return yaml.safe_load(m.group(1)) or {}
    return {}


def prepare(nb, maths):
    "Apply the Quarto cell options nbdev leaves in processed notebooks, and protect maths for nbconvert."
    cells = []
    for cell in nb.cells:
        if cell.cell_type == 'raw': continue
        if cell.cell_type == 'markdown':
            src = _src(cell)
            if not src.strip() or not _markdown(src, Maths()).strip(): continue
            cell.source = _markdown(src, maths)
            cells.append(cell)
            continue
        dirs, src = _split_directives(_src(cell))
        if dirs.get('include') == 'false' or 'hide' in dirs: continue
        outputs = [] if dirs.get('output') == 'false' else cell.get('outputs', [])
        for o in outputs:
            md = o.get('data', {}).get('text/markdown')
            if md is not None:
                o['data']['text/markdown'] = _markdown(''.join(md) if isinstance(md, list) else md, maths)
        cell.outputs = outputs
        cell.source = src
        tags = set(cell.metadata.get('tags', []))
        if dirs.get('echo') == 'false' or not src.strip(): tags.add('laf_remove_input')
        if not src.strip() and not outputs: continue
        cell.metadata['tags'] = sorted(tags)
        cells.append(cell)
    nb.cells = cells
    nb.metadata.pop('widgets', None)  # widget state would pull the widget manager from a CDN
    return nb


def _pandoc_id(text, seen):
    "Pandoc's automatic identifier, as Quarto gives headings (and nbdev's doc links expect)."
    s = re.sub(r'[^\w\s.-]', '', text.strip().lower(), flags=re.U)
    s = re.sub(r'\s+', '-', s)
    s = re.sub(r'^[^a-z]+', '', s) or 'section'
    base, n = s, 1
    while s in seen: s, n = f'{base}-{n}', n + 1
    seen.add(s)
    return s


_HEADING = re.compile(r'<h([1-6])((?:\s[^>]*)?)>(.*?)</h\1>', re.S)
_ANCHOR = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
_TAGS = re.compile(r'<[^>]+>')
_REMOTE = re.compile(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="(?:https?:)?//[^"]*"[^>]*>', re.I)


def postprocess(page_html, maths, site_url):
    "MathML in place of the placeholders, pandoc-style heading ids, relative links to our own pages."
    page_html = maths.restore(page_html)
    seen = {'title', 'chapters'}

    def heading(m):
        level, attrs, inner = m.groups()
        if 'class="title"' in attrs: return m.group(0)
        inner = _ANCHOR.sub('', inner)
        hid = _pandoc_id(html.unescape(_TAGS.sub('', inner)), seen)
        attrs = re.sub(r'\s+id="[^"]*"', '', attrs)
        return f'<h{level} id="{hid}"{attrs}>{inner}<a class="anchor-link" href="#{hid}">¶</a></h{level}>'
    page_html = _HEADING.sub(heading, page_html)
    if site_url: page_html = page_html.replace(f'href="{site_url}/', 'href="')
    return offline(page_html)


_REMOTE_IMG = re.compile(r'<img\b[^>]*\bsrc="(?:https?:)?//[^"]*"[^>]*>', re.I)


def offline(page_html):
    "Badges and other remote images become their alt text (a link around them stays); remote scripts are dropped."
    def badge(m):
        alt = re.search(r'\balt="([^"]*)"', m.group(0))
        return f'<span class="remote-image">{alt.group(1) if alt else "image"}</span>'
    page_html = _REMOTE_IMG.sub(badge, page_html)
    for tag in _REMOTE.findall(page_html): print(f'dropped (it would load from the network): {tag}')
    page_html = re.sub(r'<script\b[^>]*\bsrc="(?:https?:)?//[^"]*"[^>]*>\s*</script>', '', page_html, flags=re.I)
    return _REMOTE.sub('', page_html)


def fix_anchors(rendered):
    """Point links at anchors that exist. nbdev links every name it knows, private helpers and members too
    (`Labels.dense`), but only public functions and classes get an entry: such links go to the class's entry
    (`#labels`) or else to the top of the page, where Quarto would also leave them."""
    ids = {name: set(re.findall(r'\sid="([^"]+)"', text)) for name, text in rendered.items()}
    def fix(m, name):
        target, anchor = m.group(1) or name, m.group(2)
        if target not in ids or anchor in ids[target]: return m.group(0)
        head = anchor.split('.')[0]
        new = head if head in ids[target] else ''
        return f'href="{m.group(1) or ""}' + (f'#{new}"' if new else ('"' if m.group(1) else '#"'))
    return {name: re.sub(r'href="([\w.-]+\.html)?#([^"]+)"', lambda m: fix(m, name), text)
            for name, text in rendered.items()}


def page_name(proc_nb, fm):
    if fm.get('output-file'): return fm['output-file']
    return re.sub(r'^\d+[a-z]?_', '', proc_nb.stem) + '.html'


def _md_inline(text, maths):
    "A one-line markdown string (a description) as inline HTML."
    from nbconvert.filters.markdown_mistune import markdown2html_mistune
    h = markdown2html_mistune(_markdown(text, maths)).strip()
    h = re.sub(r'^<p>(.*)</p>$', r'\1', h, flags=re.S)
    return maths.restore(h)


def _lab_css(exporter):
    "JupyterLab's notebook and light-theme CSS, as the lab template would inline them in every page."
    parts = []
    for name in ('index.css', 'theme-light.css'):
        found = [Path(d) / 'static' / name for d in exporter.template_paths if (Path(d) / 'static' / name).exists()]
        if not found: raise FileNotFoundError(f"nbconvert's lab template has no static/{name}")
        parts.append(found[0].read_text(encoding='utf-8'))
    return '\n'.join(parts)


def build_site(proc, out, root=ROOT):
    "Render every processed notebook in `proc` into `out`; return the list of pages (dicts)."
    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from traitlets.config import Config
    cfg = _config(root)
    site_url = (cfg.get('doc_host', '').rstrip('/') + cfg.get('doc_baseurl', '')).rstrip('/')
    files = sorted(proc.glob('*.ipynb'), key=lambda p: (p.stem != 'index', p.name))  # home page, then chapters
    notebooks, pages = [], []
    for f in files:
        nb = nbformat.read(f, as_version=4)
        fm = _frontmatter(nb)
        desc = str(fm.get('description', '') or '')
        page = dict(file=page_name(f, fm), notebook=f.name, title=str(fm.get('title', f.stem)), description=desc,
                    description_html=_md_inline(desc, Maths()) if desc else '')
        notebooks.append(nb); pages.append(page)

    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_input_tags = {'laf_remove_input'}
    c.HTMLExporter.preprocessors = ['nbconvert.preprocessors.TagRemovePreprocessor']
    c.HTMLExporter.exclude_input_prompt = c.HTMLExporter.exclude_output_prompt = True
    exporter = HTMLExporter(config=c, template_name='lab', extra_loaders=[DictLoader({'laf_page.html.j2': TEMPLATE})],
                            template_file='laf_page.html.j2')
    out.mkdir(parents=True, exist_ok=True)
    (out / LAB_CSS).write_text(_lab_css(exporter), encoding='utf-8')
    errors, rendered = [], {}
    for nb, page in zip(notebooks, pages):
        maths = Maths()
        prepare(nb, maths)
        body, _ = exporter.from_notebook_node(nb, resources={'metadata': {'name': page['title']},
                                                             'site': dict(title=cfg.get('title', cfg.get('lib_name')),
                                                                          pages=pages, page=page, css=CSS,
                                                                          lab_css=LAB_CSS)})
        rendered[page['file']] = postprocess(body, maths, site_url)
        errors += [f'{page["notebook"]}: {e}' for e in maths.errors]
        page['maths'] = len(maths.items)
    for name, text in fix_anchors(rendered).items(): (out / name).write_text(text, encoding='utf-8')
    if errors: raise SystemExit('LaTeX that latex2mathml cannot convert:\n' + '\n'.join(errors))
    (out / 'site.json').write_text(json.dumps([{k: v for k, v in p.items() if k != 'description_html'}
                                               for p in pages], indent=1))
    return pages


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=None, help="output folder (default: settings.ini's doc_path, _docs)")
    ap.add_argument('--proc', default=None, help='where to leave the processed notebooks (default: _proc)')
    ap.add_argument('--nbs', default=None, help="notebooks to build (default: settings.ini's nbs_path)")
    ap.add_argument('--n_workers', type=int, default=None, help='nbdev_proc_nbs workers (default: nbdev\'s)')
    args = ap.parse_args(argv)
    cfg = _config(ROOT)
    out = Path(args.out or ROOT / cfg.get('doc_path', '_docs')).resolve()
    proc_dest = Path(args.proc or ROOT / '_proc').resolve()
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix='laf_docs_') as tmp:
        proc = run_proc_nbs(ROOT, Path(tmp), args.n_workers, args.nbs)
        t1 = time.time()
        if proc_dest.exists(): shutil.rmtree(proc_dest)
        shutil.copytree(proc, proc_dest)
    if out.exists(): shutil.rmtree(out)
    pages = build_site(proc_dest, out)
    print(f'{len(pages)} pages in {out} (nbdev_proc_nbs {t1 - t0:.0f}s, nbconvert {time.time() - t1:.0f}s); '
          f'processed notebooks in {proc_dest}')


if __name__ == '__main__': main()
