import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobKey, type JobResult } from '@udtl/results';
import { lockRunFolder } from '../src/lock.js';
import { RunStore, currentDataFilter } from '../src/store.js';

function stored(dataset: string, fold: number, dataHash?: string): JobResult {
  const job = { dataset, method: 'm', fold, repeat: 0, budget: 'all' as const, seed: 0, draw: 0 };
  return {
    ...job, key: jobKey(job), status: 'ok', methodId: 'm', params: {}, chosen: {}, backend: { name: 'cpu', gpu: false },
    metrics: { accuracy: 1 }, fitSeconds: 0, predictSeconds: 0, classNames: ['a', 'b'], finishedAt: new Date(0).toISOString(),
    ...(dataHash ? { dataHash } : {}),
  } satisfies JobResult & { dataHash?: string };
}

describe('results of changed data are stale', () => {
  const now = new Map([
    ['d1', { dataHash: 'h1-now', contentHash: 'c1-now' }],
    ['d2', { dataHash: 'h2-now', contentHash: 'c2-now' }],
  ]);

  it('currentDataFilter: the data hash decides; files without one fall back on the previous manifest’s content hash', () => {
    const current = currentDataFilter(now, new Map([['d1', 'c1-now'], ['d2', 'c2-old']]));
    expect(current(stored('d1', 0, 'h1-now'))).toBe(true);
    expect(current(stored('d1', 0, 'h1-old'))).toBe(false);
    expect(current(stored('d1', 0))).toBe(true); // older file, same content as recorded
    expect(current(stored('d2', 0))).toBe(false); // older file, content changed since
    expect(current(stored('d3', 0, 'h3'))).toBe(false); // a dataset no longer in the config
  });

  it('RunStore reads only current results, counts stale ones per dataset, and a rerun overwrites them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udtl-stale-'));
    const store = new RunStore(dir, currentDataFilter(now, new Map()));
    await store.init();
    await store.writeResult(stored('d1', 0, 'h1-now'));
    await store.writeResult(stored('d1', 1, 'h1-old'));
    await store.writeResult(stored('d2', 0, 'h2-old'));
    expect((await store.readResults()).map((r) => r.key)).toEqual([jobKey(stored('d1', 0))]);
    expect([...(await store.finishedKeys()).keys()]).toEqual([jobKey(stored('d1', 0))]);
    expect(await store.staleCounts()).toEqual(new Map([['d1', 1], ['d2', 1]]));
    await store.writeResult(stored('d1', 1, 'h1-now'));
    expect(await store.staleCounts()).toEqual(new Map([['d2', 1]]));
  });
});

describe('run folder lock', () => {
  it('a second taker is refused, naming the holder; released, it can be taken again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udtl-lock-'));
    const release = await lockRunFolder(dir);
    await expect(lockRunFolder(dir)).rejects.toThrow(new RegExp(`another udtl run \\(pid ${process.pid} on ${hostname()}, started .*\\) is writing into ${dir}; .*delete ${dir}/\\.lock`));
    await release();
    expect(existsSync(join(dir, '.lock'))).toBe(false);
    const again = await lockRunFolder(dir);
    await again();
  });

  it('a lock left by a run that died (or an unreadable one) is taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udtl-lock-'));
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout.trim());
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: deadPid, host: hostname(), startedAt: new Date(0).toISOString() }));
    const release = await lockRunFolder(dir);
    expect(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8')).pid).toBe(process.pid);
    await release();
    writeFileSync(join(dir, '.lock'), 'half-writ');
    const release2 = await lockRunFolder(dir);
    await release2();
  });
});
