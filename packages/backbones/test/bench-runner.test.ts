import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { runBenchSuite } from '../src/bench-runner.js';

describe('bench suite runner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'udtl-bench-'));
  writeFileSync(join(dir, 'ok.ts'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(process.argv[2], process.argv.slice(3).join(' '));\n`);
  writeFileSync(join(dir, 'fails.ts'), 'process.exit(3);\n');
  const url = pathToFileURL(`${dir}/`);
  const out = join(dir, 'ran.txt');
  const benches = { ok: { file: 'ok.ts', args: [out, 'a', 'b'] }, fails: { file: 'fails.ts' } };

  it('runs a named bench in its own process with its arguments', () => {
    expect(runBenchSuite(url, benches, ['ok'])).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('a b');
  });
  it('returns 1 when any bench fails, and 2 for an unknown name without running anything', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(runBenchSuite(url, benches, [])).toBe(1);
    expect(runBenchSuite(url, benches, ['ok', 'nope'])).toBe(2);
    expect(error).toHaveBeenCalledWith('unknown bench nope; known: ok, fails');
    error.mockRestore();
  });
});
