import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

/** A lock file whose owner is still running on this machine is held; one from a dead or killed run is stale. */
function alive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // another machine's run: we cannot tell, so it holds
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Take `<runDir>/.lock` so two runs of one config into one folder do not both compute every job.
 * The file is written whole, then hard-linked into place (atomic, fails if it exists). A lock left
 * by a run that died is taken over. Returns the release function.
 */
export async function lockRunFolder(runDir: string): Promise<() => Promise<void>> {
  const path = join(runDir, '.lock');
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const tmp = join(runDir, `.lock.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(tmp, JSON.stringify(me));
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(tmp, path);
        return async () => {
          await rm(path, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw lockError(err, path);
      }
      let owner: LockOwner | undefined;
      try {
        owner = JSON.parse(await readFile(path, 'utf8')) as LockOwner;
      } catch {
        owner = undefined; // unreadable: left by something else; treated as stale
      }
      if (owner && alive(owner)) {
        throw new Error(`another udtl run (pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}) is writing into ${runDir}; ` +
          `wait for it to finish (its results are then reused), or delete ${path} if that run no longer exists`);
      }
      await rm(path, { force: true });
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

function lockError(err: unknown, path: string): Error {
  const e = err as NodeJS.ErrnoException;
  return e.code === 'EEXIST' ? new Error(`${path}: another run took the lock at the same moment; try again`) : new Error(`cannot lock ${path}: ${e.message}`);
}
