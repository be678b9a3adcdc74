import type { StageStore } from './contract.js';

/**
 * In-process StageStore (contract.ts): a plain map; values are disposed when replaced or on
 * `clear()`. Optional LRU bound so a worker running many folds does not keep every CAE.
 */
export class MemoryStageStore implements StageStore {
  private readonly entries = new Map<string, { value: unknown; dispose?: (value: unknown) => void }>();

  constructor(private readonly maxEntries = Infinity) {}

  get<T>(key: string): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key); // refresh LRU position
    this.entries.set(key, e);
    return e.value as T;
  }

  set<T>(key: string, value: T, dispose?: (value: T) => void): void {
    const old = this.entries.get(key);
    if (old && old.value !== value) old.dispose?.(old.value);
    this.entries.delete(key);
    this.entries.set(key, { value, dispose: dispose as ((value: unknown) => void) | undefined });
    while (this.entries.size > this.maxEntries) {
      const [oldest, e] = this.entries.entries().next().value as [string, { value: unknown; dispose?: (v: unknown) => void }];
      this.entries.delete(oldest);
      e.dispose?.(e.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** Dispose every value and empty the store. */
  clear(): void {
    for (const e of this.entries.values()) e.dispose?.(e.value);
    this.entries.clear();
  }
}
