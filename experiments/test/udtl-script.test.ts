import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.udtl as string;

/** Run the root `udtl` script as pnpm does (sh -c, arguments appended) with a stand-in `turbo` first on PATH. */
function runScript(turbo: string, args: string) {
  const bin = mkdtempSync(join(tmpdir(), 'udtl-fake-turbo-'));
  writeFileSync(join(bin, 'turbo'), `#!/bin/sh\n${turbo}\n`);
  chmodSync(join(bin, 'turbo'), 0o755);
  return spawnSync('sh', ['-c', `${SCRIPT} ${args}`], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
}

describe('pnpm udtl (the root script: build, then the CLI)', () => {
  it("shows the build's errors when the build fails, and does not start the CLI", () => {
    const r = runScript(`echo "packages/core/src/x.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'."; echo "ERROR run failed: command exited (2)" >&2; exit 2`, 'backbones list');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('error TS2322');
    expect(r.stderr).toContain('command exited (2)');
    expect(r.stderr).toContain('the build failed');
    expect(r.stdout).not.toMatch(/mobilenet/);
  });

  it('keeps a successful build quiet, so the CLI’s stdout stays clean', () => {
    const r = runScript('echo "• turbo 2.x"; echo " Tasks: 7 successful, 7 total"', 'backbones list');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('turbo');
    expect(r.stderr).not.toContain('turbo');
    expect(r.stdout).toMatch(/^mobilenet-v2-1\.0$/m);
    // The CLI's exit code comes through.
    expect(runScript('exit 0', 'backbones show').status).toBe(1);
  });
});
