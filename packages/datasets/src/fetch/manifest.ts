/** Per-image sha256 manifests shipped with the package (src/manifests/*.tsv.gz). */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** src/fetch → src/manifests; dist/fetch → src/manifests too (the build does not copy data files). */
export function manifestPath(name: string): string {
  const candidates = [new URL(`../manifests/${name}`, import.meta.url), new URL(`../../src/manifests/${name}`, import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`file manifest '${name}' not found (looked in ${candidates.join(' and ')})`);
  return found;
}

/** path → sha256 from `<sha256>\t<path>` lines (optionally gzipped). */
export async function readFileManifest(name: string): Promise<Map<string, string>> {
  return new Map([...(await readManifestRows(name))].map(([p, r]) => [p, r.sha256]));
}

/** path → { sha256, split } from `<sha256>\t<path>[\t<split>]` lines (split '' when absent). */
export async function readManifestRows(name: string): Promise<Map<string, { sha256: string; split: string }>> {
  const path = manifestPath(name);
  const raw = await readFile(path);
  const body = path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  const out = new Map<string, { sha256: string; split: string }>();
  body.split('\n').forEach((line, i) => {
    if (!line) return;
    const m = /^([0-9a-f]{64})\t([^\t]+)(?:\t([^\t]*))?$/.exec(line);
    if (!m) throw new Error(`${path}: line ${i + 1} is not '<sha256>\\t<path>[\\t<split>]'`);
    out.set(m[2], { sha256: m[1], split: m[3] ?? '' });
  });
  return out;
}
