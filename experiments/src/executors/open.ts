import { methodEntries } from '../config.js';
import { Executor, type WorkerEnv } from '../execute.js';
import { importMethodPackage, loadBuiltinMethods } from '../methods.js';
import type { JobBackend } from '@udtl/results';
import { RunStore } from '../store.js';

/**
 * A ready Executor: built-in methods and the config's packages registered, backend and engine
 * started. Used by local workers and by slurm array tasks alike, so both run jobs the same way.
 */
export async function openExecutor(env: WorkerEnv): Promise<{ executor: Executor; backend: JobBackend }> {
  await loadBuiltinMethods();
  const packages = new Set([...env.config.packages, ...methodEntries(env.config).flatMap((m) => (m.package ? [m.package] : []))]);
  for (const p of packages) await importMethodPackage(p);
  const executor = new Executor(env, new RunStore(env.runDir));
  return { executor, backend: await executor.backendInfo() };
}
