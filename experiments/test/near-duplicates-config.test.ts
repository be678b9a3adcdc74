import { describe, expect, it } from 'vitest';
import { configHash, parseConfig } from '../src/config.js';
import { foldsOf } from '../src/preflight.js';

const minimal = { name: 't', datasets: ['d'], methods: ['transfer-learned'] };

describe('config nearDuplicates', () => {
  it("defaults to 'group', accepts 'ignore', names a bad value, and changes the run folder hash", () => {
    expect(parseConfig(minimal).nearDuplicates).toBe('group');
    const ignore = parseConfig({ ...minimal, nearDuplicates: 'ignore' });
    expect(ignore.nearDuplicates).toBe('ignore');
    expect(() => parseConfig({ ...minimal, nearDuplicates: 'maybe' })).toThrow(/nearDuplicates/);
    expect(configHash(ignore)).not.toBe(configHash(parseConfig(minimal)));
  });

  it('foldsOf keeps each group in one test fold when given groups', () => {
    const samples = Array.from({ length: 40 }, (_, i) => ({ id: `s${String(i).padStart(2, '0')}`, hash: `h${i}`, label: i % 2, split: '' }));
    const groupOf = new Map(samples.map((s, i) => [s.id, `g${Math.floor(i / 4)}`]));
    const config = parseConfig({ ...minimal, folds: 5 });
    const folds = foldsOf({ samples } as never, config, 3, groupOf);
    expect(folds).toHaveLength(5);
    for (let g = 0; g < 10; g++) {
      const ids = samples.filter((s) => groupOf.get(s.id) === `g${g}`).map((s) => s.id);
      expect(new Set(ids.map((id) => folds.findIndex((f) => f.fold.test.includes(id)))).size).toBe(1);
    }
  });
});

describe('dataIdentity with fold groups', () => {
  it('is unchanged without groups and changes when the groups change', async () => {
    const { dataIdentity } = await import('../src/preflight.js');
    const ds = { info: { labels: ['a', 'b'] }, samples: [{ id: 'x', hash: 'h1', label: 0, split: '' }, { id: 'y', hash: 'h2', label: 1, split: '' }, { id: 'z', hash: 'h3', label: 1, split: '' }] } as never;
    expect(dataIdentity(ds, [])).toBe(dataIdentity(ds));
    expect(dataIdentity(ds, [['x', 'y']])).not.toBe(dataIdentity(ds));
    expect(dataIdentity(ds, [['x', 'y']])).not.toBe(dataIdentity(ds, [['y', 'z']]));
    expect(dataIdentity(ds, [['y', 'x']])).toBe(dataIdentity(ds, [['x', 'y']]));
  });
});
