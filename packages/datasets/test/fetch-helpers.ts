/** A local HTTP server (127.0.0.1 only) for the fetcher's tests, and archive builders using the system tar. */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';

export type Route = Buffer | ((req: IncomingMessage, res: ServerResponse) => void);

export interface TestServer {
  base: string;
  routes: Map<string, Route>;
  /** Request paths seen, in order. */
  log: string[];
  close(): Promise<void>;
}

/** Serves `routes` by URL path (query ignored); anything else is a 404. */
export async function startServer(): Promise<TestServer> {
  const routes = new Map<string, Route>();
  const log: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    log.push(path);
    const route = routes.get(path);
    if (!route) return void res.writeHead(404).end('not found');
    if (typeof route === 'function') return route(req, res);
    res.writeHead(200, { 'content-length': route.length });
    res.end(route);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routes,
    log,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** A route that sends the headers for all of `body` and then drops the connection half-way. */
export const dropsMidway = (body: Buffer): Route => (_req, res) => {
  res.writeHead(200, { 'content-length': body.length });
  res.write(body.subarray(0, Math.floor(body.length / 2)));
  setTimeout(() => res.destroy(), 20);
};

/**
 * tar.gz of `files` (source path → member name) built by GNU tar in `work`. Members are added in
 * the given order (not sorted), so readers cannot rely on order.
 */
export function buildTarGz(work: string, name: string, files: Array<[string, string]>, format: 'gnu' | 'pax' = 'pax'): string {
  const tree = join(work, `${name}.tree`);
  for (const [src, member] of files) {
    mkdirSync(join(tree, member, '..'), { recursive: true });
    cpSync(src, join(tree, member));
  }
  const out = join(work, `${name}.tar.gz`);
  execFileSync('tar', ['-czf', out, `--format=${format}`, '-C', tree, ...files.map(([, m]) => m)]);
  return out;
}

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  try { walk(dir); } catch { /* missing dir: no files */ }
  return out.sort();
}
