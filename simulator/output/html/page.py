"""One report page: a document (plain data) and its charts rendered as one HTML file, no network.

A document is a dict: ``kind``, ``title``, ``headline`` (lines), ``verdict``
(``PASS``/``FAIL``/``UNCLEAR`` or None), ``sections`` (each with an ``id``,
``title``, ``paragraphs`` and ``tables``), ``warnings``, ``provenance`` (seed,
version, fingerprint ...), ``scenario`` (the YAML as run) and ``data`` (the
numbers for scripts). Charts are matplotlib figures inlined as SVG. Nothing in
the page is fetched: no scripts, fonts, styles or images from elsewhere, and
nothing depends on the time it was built, so the bytes are reproducible.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib is imported only when a page has a chart to draw
    from matplotlib.figure import Figure

__all__ = ["Chart", "render", "svg_of", "section", "table_of"]

_CSS = """
:root{--fg:#1b1f24;--muted:#59636e;--line:#d0d7de;--pass:#1a7f37;--fail:#cf222e;--warn:#9a6700;--bg:#fff}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);
background:var(--bg);margin:0 auto;max-width:1100px;padding:1.5rem;line-height:1.45}
h1{font-size:1.5rem;margin:0 0 .5rem}h2{font-size:1.2rem;margin:1.8rem 0 .6rem;border-bottom:1px solid var(--line);
padding-bottom:.2rem}h3{font-size:1rem;margin:1.2rem 0 .4rem}
.headline{font-size:1.15rem;margin:.8rem 0 1rem;padding:.8rem 1rem;border-left:6px solid var(--muted);
background:#f6f8fa}.headline p{margin:.2rem 0}
.verdict-PASS{border-color:var(--pass)}.verdict-FAIL{border-color:var(--fail)}.verdict-UNCLEAR{border-color:var(--warn)}
.tag{font-weight:700}.tag-PASS{color:var(--pass)}.tag-FAIL{color:var(--fail)}.tag-UNCLEAR{color:var(--warn)}
table{border-collapse:collapse;margin:.4rem 0 1rem;font-size:.9rem;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.2rem 0;color:var(--muted)}
th,td{border:1px solid var(--line);padding:.25rem .55rem;vertical-align:top}td{white-space:nowrap}
.scroll{overflow-x:auto;max-width:100%}
th{background:#f6f8fa;text-align:left}td{text-align:right}td:first-child{text-align:left}
.warnings{border:1px solid #d4a72c;background:#fff8c5;padding:.6rem 1rem}.warnings li{margin:.2rem 0}
figure{margin:1rem 0 1.6rem;page-break-inside:avoid;break-inside:avoid}figure svg{max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:.85rem}
pre{background:#f6f8fa;border:1px solid var(--line);padding:.6rem;overflow:auto;font-size:.8rem}
dl.prov{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;font-size:.9rem}dl.prov dt{color:var(--muted)}
dl.prov dd{margin:0;font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
nav.toc{font-size:.9rem;color:var(--muted)}nav.toc a{color:inherit;margin-right:.8rem}
@media print{body{max-width:none;padding:0;font-size:10pt}nav.toc{display:none}h2{break-after:avoid}
table,figure,pre{break-inside:avoid}pre{white-space:pre-wrap}.scroll{overflow:visible}td{white-space:normal}a{color:inherit;text-decoration:none}}
"""


@dataclass(frozen=True)
class Chart:
    """A chart of a report: its anchor ``id``, a ``title``, a text alternative ``alt``, and ``draw``.

    ``draw`` makes the figure only when the page is rendered, so a JSON
    summary (``--json``) never spends time drawing.
    """

    id: str
    title: str
    alt: str
    draw: Callable[[], Figure]

    @property
    def figure(self) -> Figure:
        """The chart's figure, drawn now."""
        return self.draw()


def section(id: str, title: str, paragraphs: Sequence[str] = (), tables: Sequence[dict] = ()) -> dict:
    """A section of a document: paragraphs of text, then tables."""
    return {"id": id, "title": title, "paragraphs": list(paragraphs), "tables": list(tables)}


def table_of(header: Sequence[str], rows: Sequence[Sequence[Any]], caption: str = "") -> dict:
    """A table of a document: a header row and body rows of display text."""
    return {"caption": caption, "header": [str(h) for h in header], "rows": [[str(c) for c in r] for r in rows]}


_ID = re.compile(r'\bid="([^"]+)"')


def svg_of(fig: Figure, prefix: str) -> str:
    """``fig`` as inline SVG with no date and ids made unique in the page by ``prefix``.

    Matplotlib's ids are hashes salted with ``svg.hashsalt``; fixing the salt
    and dropping the date metadata make the same figure give the same bytes.
    """
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "carebench", "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]  # drop the XML prolog and doctype: inline SVG has none
    ids = _ID.findall(text)
    for old in sorted(set(ids), key=len, reverse=True):
        new = f"{prefix}-{old}"
        text = text.replace(f'id="{old}"', f'id="{new}"').replace(f"#{old})", f"#{new})") \
                   .replace(f'"#{old}"', f'"#{new}"')
    return re.sub(r"<title>.*?</title>", "", text, count=1, flags=re.S)


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _table(t: dict) -> str:
    out = ['<div class="scroll"><table>']
    if t.get("caption"):
        out.append(f"<caption>{_e(t['caption'])}</caption>")
    out.append("<thead><tr>" + "".join(f'<th scope="col">{_e(h)}</th>' for h in t["header"]) + "</tr></thead>")
    out.append("<tbody>")
    for row in t["rows"]:
        cells = [f'<th scope="row">{_e(row[0])}</th>'] if row else []
        cells += [f"<td>{_e(c)}</td>" for c in row[1:]]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _tagged(line: str) -> str:
    """A headline line with a trailing PASS/FAIL/UNCLEAR coloured."""
    m = re.search(r"\b(PASS|FAIL|UNCLEAR)\b", line)
    if not m:
        return _e(line)
    word = m.group(1)
    return _e(line[:m.start()]) + f'<span class="tag tag-{word}">{word}</span>' + _e(line[m.end():])


def _section(s: dict) -> str:
    out = [f'<section id="{_e(s["id"])}">', f"<h2>{_e(s['title'])}</h2>"]
    out += [f"<p>{_e(p)}</p>" for p in s.get("paragraphs", [])]
    out += [_table(t) for t in s.get("tables", [])]
    out.append("</section>")
    return "\n".join(out)


def _charts(charts: Sequence[Chart]) -> str:
    out = ['<section id="charts">', "<h2>Charts</h2>"]
    for i, c in enumerate(charts, start=1):
        svg = svg_of(c.figure, f"c{i}")
        svg = svg.replace("<svg ", f'<svg role="img" aria-labelledby="{c.id}-t {c.id}-d" ', 1)
        svg = svg.replace(">", f'><title id="{c.id}-t">{_e(c.title)}</title><desc id="{c.id}-d">{_e(c.alt)}</desc>', 1)
        out.append(f'<figure id="{_e(c.id)}">{svg}<figcaption><strong>{_e(c.title)}.</strong> {_e(c.alt)}'
                   "</figcaption></figure>")
    out.append("</section>")
    return "\n".join(out)


def _provenance(doc: dict) -> str:
    prov = doc.get("provenance", {})
    out = ['<section id="scenario">', "<h2>Scenario as run</h2>", '<dl class="prov">']
    for key, value in prov.items():
        out.append(f"<dt>{_e(key)}</dt><dd>{_e(value)}</dd>")
    out.append("</dl>")
    if doc.get("scenario"):
        out.append(f"<pre>{_e(doc['scenario'])}</pre>")
    out.append("</section>")
    return "\n".join(out)


def render(doc: dict, charts: Sequence[Chart] = ()) -> str:
    """The whole page of ``doc`` with ``charts``: headline, sections, charts, warnings, scenario as run."""
    verdict = doc.get("verdict") or "none"
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             # Nothing may be fetched: the policy makes any attempt fail loudly in a browser.
             '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
             "style-src 'unsafe-inline'; img-src data:\">",
             f"<title>{_e(doc['title'])}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
             "<header>", f"<h1>{_e(doc['title'])}</h1>",
             f'<div class="headline verdict-{_e(verdict)}" id="headline">']
    parts += [f"<p>{_tagged(line)}</p>" for line in doc.get("headline", [])]
    parts.append("</div>")
    links = [(s["id"], s["title"]) for s in doc.get("sections", [])]
    links += [("charts", "Charts")] if charts else []
    links += [("warnings", "Warnings"), ("scenario", "Scenario as run")]
    parts.append('<nav class="toc">' + "".join(f'<a href="#{_e(i)}">{_e(t)}</a>' for i, t in links) + "</nav>")
    parts.append("</header>")
    parts += [_section(s) for s in doc.get("sections", [])]
    if charts:
        parts.append(_charts(charts))
    warnings = doc.get("warnings", [])
    parts.append('<section id="warnings">')
    parts.append("<h2>Warnings</h2>")
    if warnings:
        parts.append('<ul class="warnings">' + "".join(f"<li>{_e(w)}</li>" for w in warnings) + "</ul>")
    else:
        parts.append("<p>None: no censored contacts, start-up transient or configuration notes to report.</p>")
    parts.append("</section>")
    parts.append(_provenance(doc))
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
