import type { Sample } from './types.js';

/** One exact duplicate that was dropped, and the copy that was kept in its place ('' when every copy was dropped). */
export interface DroppedDuplicate {
  id: string;
  split: string;
  hash: string;
  keptId: string;
  keptSplit: string;
  /** `copy`: another copy was kept; `label-conflict`: the copies carry different labels, so none is kept. */
  reason: 'copy' | 'label-conflict';
}

export interface DuplicateReport {
  /** Groups of identical content (hash) with more than one sample. */
  groups: number;
  /** Groups whose members lie in more than one official split. */
  groupsAcrossSplits: number;
  /** Groups whose members carry different labels (all copies dropped by default). */
  groupsWithConflictingLabels: number;
  /** The ids of each conflicting group, with their labels. */
  conflicts: { ids: string[]; labels: number[] }[];
  dropped: DroppedDuplicate[];
}

const SPLIT_PRIORITY: Record<string, number> = { train: 0, val: 1, test: 2, '': 3 };

/**
 * Drop exact duplicates (same content hash) so that no image can appear in two folds. Within a
 * group the copy kept is the first by id order, preferring the train split when the group spans
 * official splits (a test image seen in training would inflate test scores). A group whose copies
 * carry different labels has no right label: every copy is dropped (`conflicts: 'drop'`, the
 * default) or the kept copy's label wins (`'keep-first'`). Returns the kept samples in input order.
 */
export function dropDuplicates(samples: Sample[], options: { conflicts?: 'drop' | 'keep-first' } = {}): { kept: Sample[]; report: DuplicateReport } {
  const dropConflicts = (options.conflicts ?? 'drop') === 'drop';
  const byHash = new Map<string, Sample[]>();
  for (const s of samples) {
    const group = byHash.get(s.hash);
    if (group) group.push(s);
    else byHash.set(s.hash, [s]);
  }
  const keep = new Set<string>();
  const report: DuplicateReport = { groups: 0, groupsAcrossSplits: 0, groupsWithConflictingLabels: 0, conflicts: [], dropped: [] };
  for (const group of byHash.values()) {
    if (group.length === 1) {
      keep.add(group[0].id);
      continue;
    }
    const ordered = [...group].sort(
      (a, b) => (SPLIT_PRIORITY[a.split] ?? 4) - (SPLIT_PRIORITY[b.split] ?? 4) || compareIds(a.id, b.id),
    );
    report.groups++;
    if (new Set(group.map((s) => s.split)).size > 1) report.groupsAcrossSplits++;
    const conflict = new Set(group.map((s) => s.label)).size > 1;
    if (conflict) {
      report.groupsWithConflictingLabels++;
      const byId = [...group].sort((a, b) => compareIds(a.id, b.id));
      report.conflicts.push({ ids: byId.map((s) => s.id), labels: byId.map((s) => s.label) });
      if (dropConflicts) {
        for (const s of ordered) report.dropped.push({ id: s.id, split: s.split, hash: s.hash, keptId: '', keptSplit: '', reason: 'label-conflict' });
        continue;
      }
    }
    const kept = ordered[0];
    keep.add(kept.id);
    for (const s of ordered.slice(1)) {
      report.dropped.push({ id: s.id, split: s.split, hash: s.hash, keptId: kept.id, keptSplit: kept.split, reason: 'copy' });
    }
  }
  report.dropped.sort((a, b) => compareIds(a.id, b.id));
  return { kept: samples.filter((s) => keep.has(s.id)), report };
}

/** Locale-independent id order (plain code-unit comparison), identical on every machine. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
