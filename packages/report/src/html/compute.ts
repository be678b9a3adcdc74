import type { JobRecord, RunManifest } from '../results/types.js';
import { DASH, esc, seconds } from './format.js';

/**
 * How often the run was started, the jobs an earlier start had already finished (reused, not
 * rerun) and the compute summed over every job: a resumed run's wall time covers its last start only.
 */
export function computeFacts(m: Partial<RunManifest>, jobs: JobRecord[]): [string, string][] {
  const sessions = typeof m.sessions === 'number' && m.sessions >= 1 ? m.sessions : 1;
  const ok = jobs.filter((j) => j.status === 'ok');
  const started = m.startedAt ? Date.parse(m.startedAt) : NaN;
  const finishedAt = (j: JobRecord) => Date.parse(j.finishedAt ?? '');
  const reused = Number.isFinite(started) ? ok.filter((j) => finishedAt(j) < started) : [];
  const cost = (list: JobRecord[]) => list.reduce((s, j) => s + (j.fitSeconds ?? 0) + (j.predictSeconds ?? 0), 0);
  const timed = ok.filter((j) => j.fitSeconds !== undefined || j.predictSeconds !== undefined);
  const rows: [string, string][] = [
    ['started', sessions > 1 ? `<strong>${sessions} times</strong> (resumed); first start ${esc(m.firstStartedAt ?? DASH)}` : 'once'],
    ['wall time', sessions > 1 ? `${esc(seconds(m.wallSeconds))} (last start only)` : esc(seconds(m.wallSeconds))],
  ];
  if (sessions > 1 || reused.length) rows.push(['jobs reused', `${reused.length} of ${ok.length} finished jobs came from an earlier start (not rerun)`]);
  rows.push(['compute (all jobs)', timed.length ? `${esc(seconds(cost(timed)))} summed fit + predict time of ${timed.length} job(s)${reused.length ? `, ${esc(seconds(cost(reused)))} of it in earlier starts` : ''}` : DASH]);
  return rows;
}
