/** Inline CSS: the report is one file with no external resources; it prints on A4/Letter. */
export const STYLE = `
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0 auto;max-width:1200px;padding:1em 2em;color:#222;line-height:1.45;box-sizing:border-box}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}h3{margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em}th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.best{font-weight:bold;background:#eaf6ea}.sig-better{color:#176317}.sig-worse{color:#a31515}
.warnings{background:#fff6e0;border:1px solid #e8c060;padding:.5em 1em;border-radius:4px}
.banner{border:2px solid;padding:.6em 1em;border-radius:4px;margin:.6em 0;font-size:1.05em}
.banner-smoke{background:#fdecea;border-color:#c62828}.banner-incomplete{background:#fff6e0;border-color:#d08c00}.banner-small-test{background:#fff6e0;border-color:#d08c00}
.note,.notes{color:#555;font-size:.9em}
figure{margin:1em 0 2em;max-width:100%}figure svg{max-width:100%;height:auto}figcaption{font-size:.9em;color:#555}
.lead-row{display:flex;flex-wrap:wrap;gap:1em 2em;align-items:flex-start}.lead-row figure{margin:.5em 0 1em}
pre{background:#f7f7f7;padding:.7em;overflow-x:auto;font-size:.85em}
nav a{margin-right:1em}
.inconclusive{color:#8a5a00}.verdict-summary{background:#f3f6fb;border:1px solid #9fb3d1;padding:.5em 1em;border-radius:4px;margin:1em 0}
details{margin:.4em 0}summary{cursor:pointer}
@media print{
  @page{size:A4;margin:1cm}
  body{max-width:none;padding:0;font-size:10pt}
  nav{display:none}
  h2{break-after:avoid}figure,table,.verdict-summary,.banner{break-inside:avoid}
  figure svg{max-width:100%;height:auto}
  a{color:inherit;text-decoration:none}
}
`;
