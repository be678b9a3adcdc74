// Install step of @udtl/native: compiles the oneDNN addon with node-gyp. Never fails the install:
// without a compiler or libdnnl-dev it prints one line and exits 0, and training keeps tfjs-wasm's kernels.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = dirname(dirname(process.execPath));
const say = (msg) => console.log(`@udtl/native: ${msg}`);

/** node-gyp as [command, ...args]: the package manager's (npm_config_node_gyp), PATH's, or npm's bundled copy. */
function nodeGyp() {
  const fromManager = process.env.npm_config_node_gyp;
  if (fromManager && existsSync(fromManager)) return [process.execPath, fromManager];
  if (spawnSync('node-gyp', ['--version'], { stdio: 'ignore' }).status === 0) return ['node-gyp'];
  const bundled = join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  return existsSync(bundled) ? [process.execPath, bundled] : undefined;
}

/** The most telling line of a failed build: a compiler error, a missing tool or file, else node-gyp's first complaint. */
function firstError(output) {
  const lines = output.split('\n').map((l) => l.replace(/^gyp ERR! (find Python )?/, '').trim()).filter(Boolean);
  const telling = [/\berror:/, /not found|No such file|cannot find|You need to install/i, /error/i];
  for (const re of telling) {
    const hit = lines.find((l) => re.test(l));
    if (hit) return hit;
  }
  return lines.at(-1) ?? 'no output';
}

/** The built addon is newer than its sources (and binding.gyp): nothing to do. */
function upToDate() {
  const built = join(root, 'build/Release/udtl_native.node');
  if (!existsSync(built)) return false;
  const sources = [join(root, 'binding.gyp'), ...readdirSync(join(root, 'addon')).map((f) => join(root, 'addon', f))];
  return sources.every((f) => statSync(f).mtimeMs < statSync(built).mtimeMs);
}

function build() {
  if (!existsSync('/usr/include/oneapi/dnnl/dnnl.hpp') && !existsSync('/usr/local/include/oneapi/dnnl/dnnl.hpp')) {
    return 'oneDNN headers not found (apt-get install libdnnl-dev)';
  }
  const gyp = nodeGyp();
  if (gyp == null) return 'node-gyp not found';
  // Node's own headers, when installed beside it, spare node-gyp a download (these machines are offline).
  const nodedir = existsSync(join(prefix, 'include/node/node_api.h')) ? [`--nodedir=${prefix}`] : [];
  const r = spawnSync(gyp[0], [...gyp.slice(1), 'rebuild', ...nodedir], { cwd: root, encoding: 'utf8' });
  if (r.error) return `node-gyp could not start: ${r.error.message}`;
  if (r.status !== 0) return `node-gyp rebuild failed: ${firstError(`${r.stderr}\n${r.stdout}`)}`;
  return undefined;
}

const t0 = Date.now();
if (process.env.UDTL_NATIVE === 'off') say('skipped (UDTL_NATIVE=off); training stays on tfjs-wasm kernels');
else if (upToDate() && !process.argv.includes('--force')) say('oneDNN addon up to date');
else {
  const failure = build();
  if (failure) say(`${failure}; training stays on tfjs-wasm kernels`);
  else say(`oneDNN addon built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
process.exit(0);
