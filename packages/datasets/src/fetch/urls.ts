/**
 * Where a public URL is actually fetched from. Tests and mirrors redirect downloads without
 * touching the registries:
 * - `UDTL_FETCH_BASE_URL=http://127.0.0.1:8000/mirror` sends `https://host/path?q` to
 *   `http://127.0.0.1:8000/mirror/host/path?q` (one mirror for every host);
 * - `UDTL_FETCH_REWRITE="https://zenodo.org/=http://mirror/zenodo/ https://github.com/=…"` replaces
 *   the first matching prefix (space- or ';'-separated `prefix=replacement` pairs; wins over the base).
 */
export interface UrlRewrites {
  /** Prefix → replacement, tried in order. */
  prefixes?: Array<[string, string]>;
  baseUrl?: string;
}

export function parseRewrites(spec: string | undefined): Array<[string, string]> {
  if (!spec?.trim()) return [];
  return spec
    .split(/[;\s]+/)
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`UDTL_FETCH_REWRITE: '${pair}' is not of the form <url prefix>=<replacement>`);
      return [pair.slice(0, at), pair.slice(at + 1)] as [string, string];
    });
}

/** The rewrites in force: explicit ones, else from the environment. */
export function rewritesFromEnv(env: NodeJS.ProcessEnv = process.env): UrlRewrites {
  return { prefixes: parseRewrites(env.UDTL_FETCH_REWRITE), baseUrl: env.UDTL_FETCH_BASE_URL || undefined };
}

export function resolveUrl(url: string, rewrites: UrlRewrites = rewritesFromEnv()): string {
  for (const [prefix, replacement] of rewrites.prefixes ?? []) {
    if (url.startsWith(prefix)) return replacement + url.slice(prefix.length);
  }
  if (rewrites.baseUrl) {
    const u = new URL(url);
    return `${rewrites.baseUrl.replace(/\/+$/, '')}/${u.host}${u.pathname}${u.search}`;
  }
  return url;
}
