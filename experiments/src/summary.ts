import { jobLabel, type JobResult } from '@udtl/results';

/**
 * The first `max` distinct errors of failed jobs, each with how many jobs it stopped and one of
 * them, so the terminal says why a run failed (the full list is in manifest.json).
 */
export function failureDigest(results: JobResult[], max = 3): string[] {
  const byError = new Map<string, { count: number; first: string }>();
  for (const r of results) {
    if (r.status !== 'failed') continue;
    const error = r.error ?? 'unknown error';
    const seen = byError.get(error);
    if (seen) seen.count++;
    else byError.set(error, { count: 1, first: jobLabel(r.key) });
  }
  const cut = (s: string) => (s.length > 400 ? `${s.slice(0, 400)}…` : s);
  const lines = [...byError].slice(0, max).map(([error, { count, first }]) => `  ${count} job${count > 1 ? 's' : ''} (e.g. ${first}): ${cut(error)}`);
  if (byError.size > max) lines.push(`  … and ${byError.size - max} other distinct error${byError.size - max > 1 ? 's' : ''}`);
  return lines;
}
