import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobKey, type JobResult } from '@udtl/results';
import { RunStore } from '../src/store.js';

/** A stored job: what the store keys and reads back (the file formats are @udtl/results' tests). */
function result(over: Partial<JobResult>): JobResult {
  const job = { dataset: 'd1', method: 'm', fold: 0, repeat: 0, budget: 5, seed: 0, draw: 0, ...over } as JobResult;
  const base = { key: jobKey(job), status: 'ok', methodId: 'm', params: {}, chosen: {}, backend: { name: 'cpu', gpu: false }, fitSeconds: 1, predictSeconds: 0.1 };
  return { ...job, ...base, metrics: {}, classNames: ['a'], finishedAt: new Date(0).toISOString(), ...over } as JobResult;
}

describe('run store', () => {
  it('keeps finished jobs across instances and skips unreadable files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udtl-store-'));
    const store = new RunStore(dir);
    await store.init();
    await store.writeResult(result({}));
    await store.writeResult(result({ fold: 1, status: 'failed' }));
    writeFileSync(join(store.jobsDir, 'torn.json'), '{"key":');
    const bad: string[] = [];
    const again = new RunStore(dir);
    const read = await again.readResults((f) => bad.push(f));
    expect(read.map((r) => r.key).sort()).toEqual(['d1|m|0|0|5|0', 'd1|m|1|0|5|0']);
    expect(bad).toEqual(['torn.json']);
    expect((await again.finishedKeys()).get('d1|m|1|0|5|0')).toBe('failed');
    expect(readdirSync(store.jobsDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
