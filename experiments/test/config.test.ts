import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configHash, loadConfig, mergeConfig, parseConfig } from '../src/config.js';
import { resolveMethods } from '../src/methods.js';

const minimal = { name: 'x', datasets: ['mednist-tiny'], methods: ['transfer-learned'] };

describe('experiment config', () => {
  it('fills defaults and validates', () => {
    const c = parseConfig(minimal);
    expect(c.folds).toBe(5);
    expect(c.budgets).toEqual(['all']);
    expect(c.backbone).toBe('mobilenet-v2-1.0');
  });

  it('names the path of every bad field', () => {
    const bad = { ...minimal, folds: 1, budgets: [5, 'most'], methods: [{ id: 'a', params: 3 }], extra: true };
    let message = '';
    try {
      parseConfig(bad, 'bad.json');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/bad\.json/);
    expect(message).toMatch(/^\s+folds:/m);
    expect(message).toMatch(/^\s+budgets\.1:/m);
    expect(message).toMatch(/^\s+methods\.0/m);
    expect(message).toMatch(/extra/);
  });

  it('rejects the same method name twice', () => {
    expect(() => parseConfig({ ...minimal, methods: ['a', { id: 'a', params: { C: 1 } }] })).toThrow(/'a' appears twice/);
  });

  it('later files override earlier ones; inline dataset paths resolve against their file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udtl-config-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ ...minimal, folds: 3, methods: [{ id: 'm', params: { C: 1, theta: 2 } }] }));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ folds: 4, datasets: [{ id: 'mine', path: 'data/mine' }] }));
    const c = await loadConfig([join(dir, 'a.json'), join(dir, 'b.json')]);
    expect(c.folds).toBe(4);
    expect(c.datasets).toEqual([{ id: 'mine', path: join(dir, 'data/mine') }]);
    expect(c.methods).toEqual([{ id: 'm', params: { C: 1, theta: 2 } }]);
    expect(mergeConfig({ a: { b: 1, c: 2 } }, { a: { c: 3 } })).toEqual({ a: { b: 1, c: 3 } });
  });

  it('a missing or broken file is named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udtl-config-'));
    await expect(loadConfig([join(dir, 'nope.json')])).rejects.toThrow(/nope\.json.*ENOENT/);
    writeFileSync(join(dir, 'broken.json'), '{ "name": ');
    await expect(loadConfig([join(dir, 'broken.json')])).rejects.toThrow(/broken\.json is not valid JSON/);
  });

  it('the hash ignores key order and the description, and changes with any setting', () => {
    const a = parseConfig({ ...minimal, description: 'one' });
    const b = parseConfig({ methods: ['transfer-learned'], description: 'two', datasets: ['mednist-tiny'], name: 'x' });
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(parseConfig({ ...minimal, seeds: [1] }))).not.toBe(configHash(a));
    // A method whose resolved parameters changed (e.g. new defaults in code) gets a new run folder.
    expect(configHash(a, { m: { theta: 1 } })).toBe(configHash(b, { m: { theta: 1 } }));
    expect(configHash(a, { m: { theta: 1 } })).not.toBe(configHash(a, { m: { theta: 0.5 } }));
    expect(configHash(a, { m: { theta: 1 } })).not.toBe(configHash(a));
  });

  it('the shipped configs are valid, and their methods and parameters exist', async () => {
    const here = new URL('../configs/', import.meta.url).pathname;
    const files = readdirSync(here).filter((f) => f.endsWith('.json'));
    expect(files).toEqual(expect.arrayContaining(['default.json', 'quick.json', 'ablations.json']));
    for (const f of files) {
      const config = await loadConfig([join(here, f)]);
      // Unknown method ids or parameter names throw here, naming them.
      await expect(resolveMethods(config), f).resolves.toHaveLength(config.methods.length);
    }
  });
});
