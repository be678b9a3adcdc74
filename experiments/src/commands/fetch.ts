import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  cacheDir, dataRoot, dataRootProblem, datasetSourceUrl, fetchDataset, fetchResource, getDataset, listDatasets, listResources, locateDatasetData,
  locateResource, modelsRoot, type FetchOptions,
} from '@udtl/datasets';
// The backbones' weights register themselves as fetchable resources when @udtl/backbones loads (through core).
import '@udtl/core';
import { checkFlags, flag, parseArgs } from './args.js';

export const summary = 'download datasets and weights ahead of time (fetch [ids…] | fetch --list)';

const USAGE = `usage: udtl fetch [ids…] [--data-dir D] [--models-dir D] [--cache-dir D]
       udtl fetch --list
  ids: dataset ids (udtl datasets list --fixtures) or weights ids (mobilenet-v2-1.0, mobilenet-v1-0.25, …);
  without ids: what configs/default.json needs (its datasets and backbone).
  Copies under the data/models root are used as they are; anything else goes into the cache directory.
  Mirrors: UDTL_FETCH_BASE_URL=<url> (every host) or UDTL_FETCH_REWRITE="<prefix>=<replacement> …".`;

/** The datasets and backbone of the default experiment config. */
function defaultIds(): string[] {
  const path = fileURLToPath(new URL('../../configs/default.json', import.meta.url));
  const config = JSON.parse(readFileSync(path, 'utf8')) as { datasets: Array<string | { id: string; path?: string }>; backbone?: string };
  const datasets = config.datasets.filter((d) => typeof d === 'string' || !d.path).map((d) => (typeof d === 'string' ? d : d.id));
  return [...datasets, config.backbone ?? 'mobilenet-v2-1.0'];
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, ['list', 'help']);
  if (p.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  checkFlags(p, ['data-dir', 'models-dir', 'cache-dir', 'list']);
  const options: FetchOptions & { modelsDir?: string } = {
    dataDir: flag(p, 'data-dir'),
    modelsDir: flag(p, 'models-dir'),
    cacheDir: flag(p, 'cache-dir'),
    log: (m) => console.error(m),
  };
  if (p.flags.has('list')) return list(options);
  const ids = p.positional.length ? p.positional : defaultIds();
  const resources = new Set(listResources().map((r) => r.id));
  checkIds(ids, resources);
  const problem = dataRootProblem(options.dataDir);
  if (problem) console.error(`warning: ${problem}; datasets not in the cache will be downloaded into the cache`);
  let failed = 0;
  for (const id of ids) {
    try {
      if (resources.has(id)) {
        const before = await locateResource(listResources().find((r) => r.id === id)!, options);
        const path = await fetchResource(id, options);
        console.log(`${id}: ${before ? `present (${before.from})` : 'downloaded'} ${path}`);
      } else {
        const got = await fetchDataset(id, options);
        console.log(`${id}: ${got.from === 'downloaded' ? 'downloaded' : `present (${got.from})`} ${got.path}`);
      }
    } catch (err) {
      failed++;
      console.error(`udtl fetch: ${(err as Error).message}`);
    }
  }
  return failed ? 1 : 0;
}

/** Every id must be a dataset or a weights id: an unknown one is an error listing both kinds, before any download. */
function checkIds(ids: string[], resources: Set<string>): void {
  const unknown = ids.filter((id) => {
    if (resources.has(id)) return false;
    try {
      getDataset(id);
      return false;
    } catch {
      return true;
    }
  });
  if (!unknown.length) return;
  throw new Error(`unknown id${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')}; ` +
    `datasets: ${listDatasets().map((d) => d.id).join(', ')}; weights: ${[...resources].sort().join(', ')}`);
}

async function list(options: FetchOptions & { modelsDir?: string }): Promise<number> {
  const rows = [['id', 'kind', 'present', 'licence', 'source']];
  for (const d of listDatasets()) {
    const at = locateDatasetData(d.id, options);
    rows.push([d.id, 'dataset', at?.from ?? 'no', d.licence, datasetSourceUrl(d) ?? 'project mirror only']);
  }
  for (const r of listResources()) {
    const at = await locateResource(r, options);
    rows.push([r.id, 'weights', at?.from ?? 'no', r.licence, r.files[0].url]);
  }
  printTable(rows);
  console.log(`\ndata root: ${dataRoot(options.dataDir)}\nmodels root: ${modelsRoot(options.modelsDir)}\ncache: ${cacheDir(options.cacheDir)}`);
  return 0;
}

export function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '));
}
