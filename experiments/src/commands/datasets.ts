import { existsSync } from 'node:fs';
import {
  dataRoot,
  dataRootProblem,
  describeDataset,
  getDataset,
  listDatasets,
  loadDataset,
  loadDatasetFromPath,
  datasetSourceUrl,
  locateDatasetData,
  type LoadOptions,
} from '@udtl/datasets';
import { checkFlags, flag, parseArgs } from './args.js';
import { printTable } from './fetch.js';

export const summary = 'list the registered datasets, or inspect one (datasets list | datasets inspect <id|path>)';

const USAGE = `usage: udtl datasets list [--data-dir D] [--fixtures]
       udtl datasets inspect <id|path> [--data-dir D] [--resolution N] [--keep-duplicates] [--all-dropped] [--no-groups]`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, ['fixtures', 'keep-duplicates', 'all-dropped', 'no-groups', 'help']);
  const [sub, target, ...extra] = p.positional;
  if (p.flags.has('help') || !sub) {
    console.log(USAGE);
    return sub ? 0 : 2;
  }
  const dataDir = flag(p, 'data-dir');
  const problem = dataRootProblem(dataDir);
  if (problem) console.error(`warning: ${problem}; only the cache (and downloads) can provide datasets`);
  if (sub === 'list') {
    checkFlags(p, ['data-dir', 'fixtures']);
    if (target) throw new Error(`datasets list takes no argument (got '${target}')\n${USAGE}`);
    return list(dataDir, p.flags.has('fixtures'));
  }
  if (sub === 'inspect') {
    checkFlags(p, ['data-dir', 'resolution', 'keep-duplicates', 'all-dropped', 'no-groups']);
    if (!target || extra.length) throw new Error(`datasets inspect needs exactly one dataset id or path\n${USAGE}`);
    const resolution = flag(p, 'resolution');
    if (resolution !== undefined && !/^\d+$/.test(resolution)) throw new Error(`--resolution must be a number of pixels, got '${resolution}'`);
    const options: LoadOptions = {
      dataDir,
      resolution: resolution === undefined ? undefined : Number(resolution),
      duplicates: p.flags.has('keep-duplicates') ? 'keep' : 'drop',
      log: (m) => console.error(m),
    };
    return inspect(target, options, p.flags.has('all-dropped'), !p.flags.has('no-groups'));
  }
  throw new Error(`unknown datasets subcommand '${sub}'\n${USAGE}`);
}

async function list(dataDir: string | undefined, fixtures: boolean): Promise<number> {
  const rows = [['id', 'task', 'classes', 'present', 'licence', 'source']];
  for (const info of listDatasets({ fixtures })) {
    const at = locateDatasetData(info.id, { dataDir });
    const url = datasetSourceUrl(info);
    const present = at ? `yes (${at.from})` : url ? 'no (downloadable)' : 'no';
    const fetch = info.source.fetch;
    const source = fetch?.kind === 'subset' ? `subset of ${fetch.of}: ${url}` : (url ?? 'project mirror only');
    rows.push([info.id, info.task, String(info.labels.length), present, info.licence, source]);
  }
  printTable(rows);
  console.log(`\ndata root: ${dataRoot(dataDir)}${fixtures ? '' : '  (--fixtures also lists the tiny test subsets)'}`);
  console.log('missing datasets are downloaded on first use, or ahead of time with: udtl fetch <id…>');
  return 0;
}

async function inspect(target: string, options: LoadOptions, allDropped: boolean, groups: boolean): Promise<number> {
  let known = true;
  try {
    getDataset(target);
  } catch (err) {
    if (!existsSync(target)) throw err;
    known = false;
  }
  const dataset = known ? await loadDataset(target, options) : await loadDatasetFromPath(target, options);
  // Near-duplicate (perceptual hash) and source groups, as grouped k-fold will keep them together.
  const description = await describeDataset(dataset, { groups: groups ? {} : false });
  const shown = allDropped ? description.duplicates.dropped : description.duplicates.dropped.slice(0, 20);
  const out = {
    ...description,
    duplicates: {
      ...description.duplicates,
      dropped: shown,
      ...(shown.length < description.duplicates.dropped.length ? { droppedShown: `${shown.length} of ${description.duplicates.dropped.length} (--all-dropped lists all)` } : {}),
    },
  };
  console.log(JSON.stringify(out, null, 2));
  return 0;
}
