import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { fork } from 'node:child_process';
import type { Task, WorkerEnv, WorkerMessage } from './execute.js';

/** Compiled worker entry; resolves from src/ (tests) and dist/ alike. */
const WORKER_FILE = fileURLToPath(new URL('../dist/worker.js', import.meta.url));

export interface PoolEvents {
  onMessage(message: WorkerMessage, task: Task | undefined, worker: number): void;
  /** A task ended: `error` when it threw or its worker died. */
  onTaskEnd(task: Task, error?: string): void | Promise<void>;
}

/**
 * One worker process per slot (the wasm backend is single-threaded, so one per core). Tasks are
 * handed out in order; a worker that dies fails its task and is replaced.
 */
export async function runPool(tasks: Task[], size: number, env: WorkerEnv, events: PoolEvents): Promise<void> {
  const queue = [...tasks];
  let active = 0;
  await new Promise<void>((resolveAll) => {
    const finishIfIdle = () => {
      if (queue.length === 0 && active === 0) resolveAll();
    };
    const spawn = (slot: number) => {
      // Native engines (onnxruntime) get an equal share of the cores, so workers don't oversubscribe them.
      const threads = String(Math.max(1, Math.floor(availableParallelism() / n)));
      const worker = fork(WORKER_FILE, [], {
        env: { ...process.env, UDTL_WORKER_ENV: JSON.stringify(env), UDTL_ENGINE_THREADS: process.env.UDTL_ENGINE_THREADS ?? threads },
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const stop = () => {
        if (worker.connected) worker.disconnect();
        worker.kill();
      };
      let current: Task | undefined;
      let ended = false;
      const next = () => {
        current = queue.shift();
        if (current) {
          worker.send(current);
        } else {
          ended = true;
          active--;
          stop();
          finishIfIdle();
        }
      };
      const endTask = async (error?: string) => {
        const task = current;
        current = undefined;
        if (task) await events.onTaskEnd(task, error);
      };
      worker.on('message', async (m: WorkerMessage) => {
        events.onMessage(m, current, slot);
        if (m.type === 'ready') next();
        else if (m.type === 'taskDone' || m.type === 'taskFailed') {
          const wasStart = m.type === 'taskFailed' && !current;
          await endTask(m.type === 'taskFailed' ? m.error : undefined);
          if (wasStart) {
            // The worker could not start: fail everything rather than spin.
            for (const t of queue.splice(0)) await events.onTaskEnd(t, m.error);
            ended = true;
            active--;
            stop();
            finishIfIdle();
          } else next();
        }
      });
      worker.on('error', async (err) => {
        if (ended) return;
        ended = true;
        await endTask(`worker crashed: ${err.message}`);
        active--;
        if (queue.length) {
          active++;
          spawn(slot);
        } else finishIfIdle();
      });
      worker.on('exit', async (code, signal) => {
        if (ended) return;
        ended = true;
        await endTask(`worker exited with ${signal ? `signal ${signal}` : `code ${code}`}`);
        active--;
        if (queue.length) {
          active++;
          spawn(slot);
        } else finishIfIdle();
      });
    };
    const n = Math.max(1, Math.min(size, queue.length));
    if (queue.length === 0) return resolveAll();
    for (let i = 0; i < n; i++) {
      active++;
      spawn(i);
    }
  });
}
