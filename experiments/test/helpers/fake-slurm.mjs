#!/usr/bin/env node
// A stand-in for sbatch, squeue, scancel and scontrol (argv[2] names which), first on PATH in unit
// tests. State lives in $FAKE_SLURM_DIR: calls.jsonl (every call's argument array), queue.json
// (task id → state), next-id. FAKE_SLURM_RUN=1: sbatch runs each array task at once, in order
// (dependencies are then met by construction); FAKE_SLURM_NOSHARE=1: preparation tasks are marked
// COMPLETED without running (as if they wrote to a disk the submitter cannot see).
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [cmd, ...args] = process.argv.slice(2);
const dir = process.env.FAKE_SLURM_DIR;
appendFileSync(join(dir, 'calls.jsonl'), JSON.stringify({ cmd, args }) + '\n');
const queueFile = join(dir, 'queue.json');
const queue = existsSync(queueFile) ? JSON.parse(readFileSync(queueFile, 'utf8')) : {};
const save = () => writeFileSync(queueFile, JSON.stringify(queue, null, 1));
const opt = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

if (cmd === 'scontrol') {
  process.stdout.write(`ClusterName             = fake\nMaxArraySize            = ${process.env.FAKE_SLURM_MAX_ARRAY ?? 1001}\n`);
} else if (cmd === 'sbatch') {
  if (args[0] === '--version') { console.log('slurm 0.0-fake'); process.exit(0); }
  const idFile = join(dir, 'next-id');
  const id = existsSync(idFile) ? Number(readFileSync(idFile, 'utf8')) : 100;
  writeFileSync(idFile, String(id + 1));
  const [, last] = opt('array').split('%')[0].split('-').map(Number);
  const scriptAt = args.findIndex((a) => !a.startsWith('-'));
  const [script, ...scriptArgs] = args.slice(scriptAt);
  const prepare = scriptArgs.includes('--prepare');
  const dep = opt('dependency')?.replace('afterok:', '');
  const depFailed = dep && Object.entries(queue).some(([k, s]) => k.startsWith(`${dep}_`) && s !== 'COMPLETED');
  for (let i = 0; i <= last; i++) {
    const task = `${id}_${i}`;
    if (process.env.FAKE_SLURM_RUN !== '1') queue[task] = 'PENDING';
    else if (depFailed) queue[task] = 'CANCELLED';
    else if (prepare && process.env.FAKE_SLURM_NOSHARE === '1') queue[task] = 'COMPLETED';
    else {
      const log = opt('output').replace('%A', String(id)).replace('%a', String(i));
      mkdirSync(dirname(log), { recursive: true });
      const r = spawnSync('sh', [script, ...scriptArgs], { cwd: opt('chdir'), env: { ...process.env, SLURM_ARRAY_TASK_ID: String(i), SLURM_ARRAY_JOB_ID: String(id) }, encoding: 'utf8' });
      writeFileSync(log, r.stdout + r.stderr);
      queue[task] = r.status === 0 ? 'COMPLETED' : 'FAILED';
    }
  }
  save();
  console.log(`${id};fake`);
} else if (cmd === 'squeue') {
  const ids = args[args.indexOf('-j') + 1].split(',');
  const known = Object.entries(queue).filter(([k]) => ids.includes(k.split('_')[0]));
  if (!known.length) { console.error('slurm_load_jobs error: Invalid job id specified'); process.exit(1); }
  for (const [k, s] of known) console.log(`${k} ${s}`);
} else if (cmd === 'scancel') {
  for (const a of args) for (const k of Object.keys(queue)) if ((k === a || k.startsWith(`${a}_`)) && !['COMPLETED', 'FAILED'].includes(queue[k])) queue[k] = 'CANCELLED';
  save();
} else {
  console.error(`fake-slurm: unknown command ${cmd}`);
  process.exit(2);
}
