#!/usr/bin/env node
/**
 * `pnpm udtl …`: build the workspace, then run the CLI with the given arguments. The build is quiet
 * when it succeeds (the CLI's stdout stays clean for piping); when it fails, its output (type
 * errors and all) is printed and the CLI is not started.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const build = spawnSync('turbo', ['run', 'build', '--output-logs=errors-only'], {
  cwd: ROOT, encoding: 'utf8', shell: process.platform === 'win32', maxBuffer: 64 * 2 ** 20,
});
if (build.status !== 0) {
  const why = build.error ? `cannot start turbo: ${build.error.message}` : `exit ${build.status ?? build.signal}`;
  process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}\nudtl: the build failed (${why}; its output is above); the CLI was not started\n`);
  process.exit(2);
}
const cli = spawnSync(process.execPath, [CLI, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(cli.status ?? 1);
