/**
 * Which backend candidates start on this machine and why not (`udtl backends list`). Each candidate
 * is started in turn, so the probe leaves the last one that started active: call `initBackend`
 * afterwards if tfjs is used in the same process.
 */
import { getBackendCandidate, listBackendCandidates, type BackendCandidate } from './registry.js';

export interface BackendAttempt {
  starts: boolean;
  /** When it starts: what it runs on (adapter, threads, native kernels); else the one-line reason. */
  detail: string;
}

export interface BackendProbe extends BackendAttempt {
  name: string;
  priority: number;
  /** Only where asking for it by name (UDTL_BACKEND=<name>) changes the outcome, e.g. webgpu's software adapter. */
  whenAsked?: BackendAttempt;
}

async function attempt(c: BackendCandidate, requested: boolean): Promise<BackendAttempt> {
  try {
    const r = await c.init({ requested });
    const parts: string[] = [r.gpu ? 'GPU' : 'CPU'];
    if (r.adapter) {
      const a = r.adapter;
      parts.push(`${a.name}${a.vendor ? ` (${a.vendor})` : ''}, Dawn ${a.backendType} ${a.featureLevel}${a.software ? ', software renderer' : ''}`);
    }
    if (r.threads != null) parts.push(`${r.threads} thread${r.threads === 1 ? '' : 's'}`);
    if (r.native) parts.push(`${r.native} kernels on ${r.nativeThreads} thread${r.nativeThreads === 1 ? '' : 's'}`);
    return { starts: true, detail: parts.join('; ') };
  } catch (err) {
    return { starts: false, detail: (err instanceof Error ? err.message : String(err)).split('\n')[0] };
  }
}

/** Every registered candidate, highest priority first: whether the plain chain could pick it, and why not. */
export async function probeBackends(): Promise<BackendProbe[]> {
  const out: BackendProbe[] = [];
  for (const name of listBackendCandidates()) {
    const c = getBackendCandidate(name);
    const probe: BackendProbe = { name, priority: c.priority, ...(await attempt(c, false)) };
    if (!probe.starts) {
      const asked = await attempt(c, true);
      if (asked.starts || asked.detail !== probe.detail) probe.whenAsked = asked;
    }
    out.push(probe);
  }
  return out;
}
