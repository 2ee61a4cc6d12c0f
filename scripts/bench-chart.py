#!/usr/bin/env python3
"""Turn the markdown table of scripts/bench-detect into an SVG bar chart (median seconds to
detect, log scale, one group per variant, one bar per engine). No dependencies.
usage: scripts/bench-chart.py TABLE.md OUT.svg"""
import math, sys

rows = []
for line in open(sys.argv[1]):
    cells = [c.strip() for c in line.strip().strip('|').split('|')]
    if len(cells) < 8 or cells[0] in ('variant',) or cells[0].startswith('---'):
        continue
    try:
        rows.append((cells[0], float(cells[1]), float(cells[5]), float(cells[9]) if len(cells) > 9 and cells[9] not in ('-', '') else None))
    except ValueError:
        continue
engines = [('guided (libFuzzer)', '#1f77b4'), ('unguided (uniform)', '#ff7f0e'), ('PCT scheduler', '#2ca02c')]
W, rowh, left, top = 900, 26, 230, 40
H = top + rowh * len(rows) + 60
lo, hi = 1e-3, max([1.0] + [v for r in rows for v in r[1:] if v]) * 1.5
def x(v):
    v = max(v or lo, lo)
    return left + (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * (W - left - 50)
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
       f'<text x="{left}" y="20" font-size="13">median seconds to detect each variant (log scale; empty corpus)</text>']
for p in range(int(math.floor(math.log10(lo))), int(math.ceil(math.log10(hi))) + 1):
    xv = x(10 ** p)
    out.append(f'<line x1="{xv:.1f}" y1="{top - 5}" x2="{xv:.1f}" y2="{H - 50}" stroke="#ddd"/>')
    out.append(f'<text x="{xv:.1f}" y="{H - 36}" text-anchor="middle">{10 ** p:g}s</text>')
for i, (name, *vals) in enumerate(rows):
    y0 = top + i * rowh
    out.append(f'<text x="{left - 6}" y="{y0 + 14}" text-anchor="end">{name}</text>')
    for j, v in enumerate(vals):
        if v is None:
            continue
        out.append(f'<rect x="{left}" y="{y0 + 3 + j * 7}" width="{max(1.0, x(v) - left):.1f}" height="6" fill="{engines[j][1]}"/>')
for j, (label, colour) in enumerate(engines):
    out.append(f'<rect x="{left + j * 190}" y="{H - 22}" width="10" height="10" fill="{colour}"/><text x="{left + j * 190 + 14}" y="{H - 13}">{label}</text>')
out.append('</svg>')
open(sys.argv[2], 'w').write('\n'.join(out) + '\n')
