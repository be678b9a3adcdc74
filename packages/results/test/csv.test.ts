import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { jobKey, jobsJsonl, predictionsCsv, PREDICTIONS_COLUMNS, resultsCsv, RESULTS_COLUMNS, type JobResult } from '../src/index.js';

function result(over: Partial<JobResult>): JobResult {
  const job = { dataset: 'd1', method: 'm', fold: 0 as number | 'official', repeat: 0, budget: 5 as number | 'all', seed: 0, ...over };
  return {
    ...job,
    key: jobKey(job as JobResult),
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

describe('run files', () => {
  it('writes long-format results and per-image predictions that parse back', () => {
    const rs = [result({}), result({ dataset: 'd2', classNames: ['a', 'z'], fold: 'official' }), result({ budget: 'all', status: 'failed', error: 'NaN loss' })];
    const rows = parse(resultsCsv(rs), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual(['dataset', 'method', 'fold', 'repeat', 'budget', 'seed', 'draw', 'metric', 'value']);
    expect(Object.keys(rows[0])).toEqual([...RESULTS_COLUMNS]);
    // a result written before draws existed (no draw field) is draw 0; a later draw keeps its index
    expect(rows[0].draw).toBe('0');
    expect(parse(resultsCsv([result({ draw: 2 })]), { columns: true })[0].draw).toBe('2');
    expect(rows).toHaveLength(4); // the failed job adds nothing; NaN AUC is written empty
    expect(rows.find((r) => r.metric === 'auc')!.value).toBe('');
    const preds = parse(predictionsCsv(rs), { columns: true }) as Record<string, string>[];
    expect(Object.keys(preds[0])).toEqual([...PREDICTIONS_COLUMNS, 'p_a', 'p_b, "c"', 'p_z']);
    expect(preds).toHaveLength(4);
    expect(preds[1]).toMatchObject({ sample_id: 'y(2).png', true: 'b, "c"', pred: 'b, "c"', p_a: '0.3', p_z: '' });
    expect(preds[3]).toMatchObject({ dataset: 'd2', fold: 'official', true: 'z', p_z: '0.7', 'p_b, "c"': '' });
  });

  it('writes the header byte for byte as runs before this package did (readers and old folders depend on it)', () => {
    expect(resultsCsv([])).toBe('dataset,method,fold,repeat,budget,seed,draw,metric,value\n');
    expect(predictionsCsv([result({ classNames: ['x', 'y'] })]).split('\n')[0]).toBe('dataset,method,fold,repeat,budget,seed,draw,sample_id,true,pred,p_x,p_y');
  });

  it('jobs.jsonl holds each record without metrics, class names and predictions', () => {
    const lines = jobsJsonl([result({}), result({ fold: 1, status: 'failed', error: 'x' })]).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ key: 'd1|m|1|0|5|0', status: 'failed', error: 'x', fitSeconds: 1 });
    for (const l of lines) for (const gone of ['metrics', 'classNames', 'predictions']) expect(l).not.toHaveProperty(gone);
    expect(jobsJsonl([])).toBe('');
  });
});
