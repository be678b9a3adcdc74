import type { Sample } from './types.js';

/** One exact duplicate that was dropped, and the copy that was kept in its place. */
export interface DroppedDuplicate {
  id: string;
  split: string;
  hash: string;
  keptId: string;
  keptSplit: string;
}

export interface DuplicateReport {
  /** Groups of identical content (hash) with more than one sample. */
  groups: number;
  /** Groups whose members lie in more than one official split. */
  groupsAcrossSplits: number;
  /** Groups whose members carry different labels (kept copy's label wins). */
  groupsWithConflictingLabels: number;
  dropped: DroppedDuplicate[];
}

const SPLIT_PRIORITY: Record<string, number> = { train: 0, val: 1, test: 2, '': 3 };

/**
 * Drop exact duplicates (same content hash) so that no image can appear in two folds. Within a
 * group the copy kept is the first by id order, preferring the train split when the group spans
 * official splits (a test image seen in training would inflate test scores). Returns the kept
 * samples in their input order.
 */
export function dropDuplicates(samples: Sample[]): { kept: Sample[]; report: DuplicateReport } {
  const byHash = new Map<string, Sample[]>();
  for (const s of samples) {
    const group = byHash.get(s.hash);
    if (group) group.push(s);
    else byHash.set(s.hash, [s]);
  }
  const keep = new Set<string>();
  const report: DuplicateReport = { groups: 0, groupsAcrossSplits: 0, groupsWithConflictingLabels: 0, dropped: [] };
  for (const group of byHash.values()) {
    if (group.length === 1) {
      keep.add(group[0].id);
      continue;
    }
    const ordered = [...group].sort(
      (a, b) => (SPLIT_PRIORITY[a.split] ?? 4) - (SPLIT_PRIORITY[b.split] ?? 4) || compareIds(a.id, b.id),
    );
    const kept = ordered[0];
    keep.add(kept.id);
    report.groups++;
    if (new Set(group.map((s) => s.split)).size > 1) report.groupsAcrossSplits++;
    if (new Set(group.map((s) => s.label)).size > 1) report.groupsWithConflictingLabels++;
    for (const s of ordered.slice(1)) {
      report.dropped.push({ id: s.id, split: s.split, hash: s.hash, keptId: kept.id, keptSplit: kept.split });
    }
  }
  report.dropped.sort((a, b) => compareIds(a.id, b.id));
  return { kept: samples.filter((s) => keep.has(s.id)), report };
}

/** Locale-independent id order (plain code-unit comparison), identical on every machine. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
