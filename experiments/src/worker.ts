import type { Task, WorkerEnv, WorkerMessage } from './execute.js';
import { openExecutor } from './executors/open.js';

/**
 * A worker is a child process (not a thread): native engines such as onnxruntime-node can be loaded
 * once per process only, and a process per worker also keeps memory apart. Its settings come in the
 * UDTL_WORKER_ENV variable; it exits when the pool (its parent) goes away.
 */
const env = JSON.parse(process.env.UDTL_WORKER_ENV ?? 'null') as WorkerEnv;
if (!env || !process.send) throw new Error('worker.js is started by the experiment runner (udtl run), not by hand');
const send = (m: WorkerMessage) => process.send!(m);
process.on('disconnect', () => process.exit(1));

const ready = openExecutor(env).then(({ executor, backend }) => {
  send({ type: 'ready', backend });
  return executor;
});
ready.catch((err: Error) => send({ type: 'taskFailed', error: `worker failed to start: ${err.message}` }));

process.on('message', async (task: Task) => {
  const log = (message: string) => send({ type: 'log', message });
  try {
    const executor = await ready;
    if (task.kind === 'prepare') await executor.prepare(task, log);
    else
      await executor.runGroup(task, (r) =>
        send({ type: 'job', key: r.key, status: r.status, error: r.error, accuracy: r.metrics.accuracy }),
      log);
    send({ type: 'taskDone' });
  } catch (err) {
    send({ type: 'taskFailed', error: err instanceof Error ? err.message : String(err) });
  }
});
