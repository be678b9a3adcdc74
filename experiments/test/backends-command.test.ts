/** `udtl backends list`: each candidate, whether it starts here and why not, then the chain's choice. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { checkSettings } from '../src/preflight.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const env = { ...process.env };
for (const v of ['UDTL_BACKEND', 'UDTL_WEBGPU_ADAPTER']) delete env[v];
const udtl = (args: string[], extra: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...env, ...extra } });

describe('udtl backends list', () => {
  it('prints one line per candidate in chain order, the reasons, and the chosen backend', () => {
    const r = udtl(['backends', 'list']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const names = lines.filter((l) => /^\S/.test(l) && !l.startsWith('chosen')).map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(['webgpu', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']);
    expect(r.stdout).toMatch(/^webgpu +(starts +GPU|skipped +no GPU adapter)/m); // a real GPU, never the software adapter unasked
    expect(r.stdout).toMatch(/^ +(starts|fails) +when asked for \(UDTL_BACKEND=webgpu\): /m);
    expect(r.stdout).toMatch(/^wasm +starts +CPU; \d+ threads?/m);
    expect(r.stdout).toMatch(/^cpu +starts +CPU; 1 thread$/m);
    // The first candidate that starts is the one the chain (and every worker) takes.
    const first = lines.find((l) => / starts /.test(l) && /^\S/.test(l))!.split(/\s+/)[0];
    expect(lines.at(-1)).toBe(`chosen here: ${first} (the first that starts); override with UDTL_BACKEND=<name>`);
  });

  it('--json gives the same rows; UDTL_BACKEND names the choice', () => {
    const r = udtl(['backends', 'list', '--json'], { UDTL_BACKEND: 'cpu' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { candidates: { name: string; starts: boolean; detail: string }[]; chosen: string; chosenBy: string };
    expect(out.candidates.map((c) => c.name)).toEqual(['webgpu', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']);
    expect(out).toMatchObject({ chosen: 'cpu', chosenBy: 'UDTL_BACKEND' });
  });

  it('UDTL_BACKEND naming a candidate that cannot start here: exit 1 with its reason', () => {
    const r = udtl(['backends', 'list'], { UDTL_BACKEND: 'tfjs-node', UDTL_WEBGPU_ADAPTER: 'hardware' });
    if (/^tfjs-node +starts/m.test(r.stdout)) return; // usable here: nothing to refuse
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^UDTL_BACKEND=tfjs-node does not start here: @tensorflow\/tfjs-node/);
  });

  it('names the usage on a wrong subcommand', () => {
    const r = udtl(['backends', 'show']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("usage: udtl backends list [--json] (got 'show')");
  });
});

describe('preflight of the webgpu settings', () => {
  it('refuses an unknown UDTL_WEBGPU_ADAPTER or UDTL_ORT_PROVIDER before the run starts, naming the known values', () => {
    const saved = { a: process.env.UDTL_WEBGPU_ADAPTER, p: process.env.UDTL_ORT_PROVIDER };
    try {
      process.env.UDTL_WEBGPU_ADAPTER = 'gpu0';
      process.env.UDTL_ORT_PROVIDER = 'webgl';
      const problems = checkSettings({ outRoot: tmpdir(), dataDir: undefined });
      expect(problems).toContain("UDTL_WEBGPU_ADAPTER='gpu0' is not one of auto, hardware, software");
      expect(problems).toContain("UDTL_ORT_PROVIDER='webgl' is not one of auto, cpu, cuda, webgpu");
      process.env.UDTL_WEBGPU_ADAPTER = 'software';
      process.env.UDTL_ORT_PROVIDER = 'webgpu';
      expect(checkSettings({ outRoot: tmpdir(), dataDir: undefined }).filter((p) => /UDTL_WEBGPU_ADAPTER|UDTL_ORT_PROVIDER/.test(p))).toEqual([]);
    } finally {
      for (const [k, v] of [['UDTL_WEBGPU_ADAPTER', saved.a], ['UDTL_ORT_PROVIDER', saved.p]] as const) {
        if (v == null) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
