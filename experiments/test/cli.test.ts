import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const udtl = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('udtl backbones list', () => {
  it('lists every registered backbone with its default tap, including the paper’s alexnet (frozen only, a download)', () => {
    const r = udtl('backbones', 'list');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^alexnet {2}\[frozen only: no fine-tuning\]$/m);
    expect(r.stdout).toContain('pool5 (default) 6x6x256');
    expect(r.stdout).toContain('bvlcalexnet-8.onnx');
    expect(r.stdout).toContain('block_16_project (default) 7x7x320');
    expect(r.stdout).toMatch(/^mobilenet-v1-0\.25$/m);
  });

  it('names the usage on a wrong subcommand', () => {
    const r = udtl('backbones', 'show');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("usage: udtl backbones list (got 'show')");
  });
});

describe('udtl <command> --help', () => {
  it('prints the command’s usage and exits 0 instead of reading --help as an option', () => {
    for (const name of ['run', 'report', 'fetch']) {
      const r = udtl(name, '--help');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^udtl ${name}: `));
      expect(r.stderr).not.toContain('needs a value');
    }
    expect(udtl('run', '--help').stdout).toContain('--config <file>');
  });
});
