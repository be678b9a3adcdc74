import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { jobKey, type JobResult } from '../src/jobs.js';
import { RunStore, predictionsCsv, resultsCsv } from '../src/store.js';

function result(over: Partial<JobResult>): JobResult {
  const job = { dataset: 'd1', method: 'm', fold: 0 as number | 'official', repeat: 0, budget: 5 as number | 'all', seed: 0, ...over };
  return {
    ...job,
    key: jobKey(job),
    status: 'ok',
    methodId: 'm',
    params: {},
    chosen: {},
    backend: { name: 'cpu', gpu: false },
    metrics: { accuracy: 0.5, auc: NaN },
    fitSeconds: 1,
    predictSeconds: 0.1,
    classNames: ['a', 'b, "c"'],
    predictions: { ids: ['x 1.png', 'y(2).png'], truth: [0, 1], proba: [[0.9, 0.1], [0.3, 0.7]] },
    finishedAt: new Date(0).toISOString(),
    ...over,
  } as JobResult;
}

describe('run store', () => {
  it('writes long-format results and per-image predictions that parse back', () => {
    const rs = [result({}), result({ dataset: 'd2', classNames: ['a', 'z'], fold: 'official' }), result({ budget: 'all', status: 'failed', error: 'NaN loss' })];
    const rows = parse(resultsCsv(rs), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual(['dataset', 'method', 'fold', 'repeat', 'budget', 'seed', 'draw', 'metric', 'value']);
    // a result written before draws existed (no draw field) is draw 0; a later draw keeps its index
    expect(rows[0].draw).toBe('0');
    expect(parse(resultsCsv([result({ draw: 2 } as Partial<JobResult>)]), { columns: true })[0].draw).toBe('2');
    expect(rows).toHaveLength(4); // the failed job adds nothing; NaN AUC is written empty
    expect(rows.find((r) => r.metric === 'auc')!.value).toBe('');
    const preds = parse(predictionsCsv(rs), { columns: true }) as Record<string, string>[];
    expect(Object.keys(preds[0])).toEqual(['dataset', 'method', 'fold', 'repeat', 'budget', 'seed', 'draw', 'sample_id', 'true', 'pred', 'p_a', 'p_b, "c"', 'p_z']);
    expect(preds).toHaveLength(4);
    expect(preds[1]).toMatchObject({ sample_id: 'y(2).png', true: 'b, "c"', pred: 'b, "c"', p_a: '0.3', p_z: '' });
    expect(preds[3]).toMatchObject({ dataset: 'd2', fold: 'official', true: 'z', p_z: '0.7', 'p_b, "c"': '' });
  });

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
