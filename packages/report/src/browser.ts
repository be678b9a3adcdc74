import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { atomicWriteFile } from '@udtl/datasets';

/** What a headless Chromium saw when it opened a report. */
export interface BrowserInspection {
  title: string;
  /** console.error/warn calls, uncaught exceptions and browser log errors (e.g. failed loads). */
  consoleErrors: string[];
  /** Requests to anything but file: and data: URLs (a self-contained report makes none). */
  externalRequests: string[];
  /** Per inline chart: how many data marks it drew and whether they have a visible size. */
  charts: { id: string; marks: number; visibleMarks: number }[];
  /** Where each chart's SVG lies on the 1,280 px screen (CSS px). */
  layout: { id: string; left: number; top: number; width: number; right: number }[];
  /** The page's scrollable width on screen: above the viewport means something overflows sideways. */
  scrollWidth: number;
  /** Printed (print stylesheet, A4 width): charts whose SVG reaches past the page, and the page's scrollable width. */
  print: { pageWidth: number; scrollWidth: number; overflowing: string[] };
  screenshotPath?: string;
}

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
/** Printable width of an A4 page (21 cm less 2 × 1 cm margins) in CSS px. */
export const PRINT_WIDTH = 718;

export const chromiumPath = (): string | undefined => {
  const path = process.env.UDTL_CHROMIUM ?? DEFAULT_CHROMIUM;
  return existsSync(path) ? path : undefined;
};

type Message = { id?: number; method?: string; params?: any; result?: any; error?: { message: string }; sessionId?: string };

/**
 * Opens `htmlPath` in headless Chromium through the DevTools protocol over a pipe (no extra npm
 * package, no port), records console errors and network requests, counts the data marks of every
 * `figure.chart` and saves a full-page screenshot.
 */
export async function inspectReport(htmlPath: string, options: { screenshotPath?: string; chromium?: string; timeoutMs?: number } = {}): Promise<BrowserInspection> {
  const executable = options.chromium ?? chromiumPath();
  if (!executable) throw new Error(`Chromium not found at ${process.env.UDTL_CHROMIUM ?? DEFAULT_CHROMIUM} (set UDTL_CHROMIUM)`);
  if (!existsSync(htmlPath)) throw new Error(`report not found: ${htmlPath}`);
  const profile = await mkdtemp(join(tmpdir(), 'udtl-chromium-'));
  const child = spawn(executable, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--hide-scrollbars', `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const toBrowser = child.stdio[3] as NodeJS.WritableStream;
  const fromBrowser = child.stdio[4] as NodeJS.ReadableStream;

  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  const listeners: ((m: Message) => void)[] = [];
  let buffer = '';
  fromBrowser.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\0')) >= 0) {
      const message = JSON.parse(buffer.slice(0, end)) as Message;
      buffer = buffer.slice(end + 1);
      if (message.id !== undefined && pending.has(message.id)) {
        const p = pending.get(message.id)!;
        pending.delete(message.id);
        if (message.error) p.reject(new Error(`Chromium: ${message.error.message}`));
        else p.resolve(message.result);
      } else listeners.forEach((l) => l(message));
    }
  });
  let nextId = 1;
  const send = (method: string, params: object = {}, sessionId?: string): Promise<any> =>
    new Promise((res, rej) => {
      const id = nextId++;
      pending.set(id, { resolve: res, reject: rej });
      toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    });
  const exited = new Promise<never>((_, rej) => child.on('exit', (code) => rej(new Error(`Chromium exited (code ${code}) before the inspection finished: ${stderr.trim().slice(-500)}`))));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`Chromium inspection timed out after ${options.timeoutMs ?? 60_000} ms`)), options.timeoutMs ?? 60_000)));

  const run = async (): Promise<BrowserInspection> => {
    const consoleErrors: string[] = [];
    const externalRequests: string[] = [];
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    let loaded!: () => void;
    const load = new Promise<void>((r) => (loaded = r));
    listeners.push((m) => {
      if (m.sessionId !== sessionId) return;
      const p = m.params;
      if (m.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'warning' || p.type === 'assert')) {
        consoleErrors.push(`console.${p.type}: ${p.args.map((a: any) => a.value ?? a.description).join(' ')}`);
      } else if (m.method === 'Runtime.exceptionThrown') {
        consoleErrors.push(`exception: ${p.exceptionDetails.exception?.description ?? p.exceptionDetails.text}`);
      } else if (m.method === 'Log.entryAdded' && p.entry.level === 'error') {
        consoleErrors.push(`${p.entry.source}: ${p.entry.text}${p.entry.url ? ` (${p.entry.url})` : ''}`);
      } else if (m.method === 'Network.requestWillBeSent' && !/^(file|data|about):/.test(p.request.url)) {
        externalRequests.push(p.request.url);
      } else if (m.method === 'Page.loadEventFired') loaded();
    });
    for (const domain of ['Runtime', 'Log', 'Network', 'Page']) await send(`${domain}.enable`, {}, sessionId);
    await send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false }, sessionId);
    await send('Page.navigate', { url: pathToFileURL(resolve(htmlPath)).href }, sessionId);
    await load;
    const evaluation = await send('Runtime.evaluate', {
      returnByValue: true,
      expression: `JSON.stringify({ title: document.title, charts: [...document.querySelectorAll('figure.chart')].map((f) => {
        const marks = [...f.querySelectorAll('svg g.role-mark > *')];
        return { id: f.dataset.chart, marks: marks.length, visibleMarks: marks.filter((m) => { const b = m.getBoundingClientRect(); return b.width > 0 || b.height > 0; }).length };
      }) })`,
    }, sessionId);
    const page = JSON.parse(evaluation.result.value) as Pick<BrowserInspection, 'title' | 'charts'>;
    const geometry = async () => JSON.parse((await send('Runtime.evaluate', {
      returnByValue: true,
      expression: `JSON.stringify({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth, layout: [...document.querySelectorAll('figure.chart')].map((f) => {
        const b = (f.querySelector('svg') ?? f).getBoundingClientRect();
        return { id: f.dataset.chart, left: b.left, top: b.top + window.scrollY, width: b.width, right: b.right };
      }) })`,
    }, sessionId)).result.value) as { scrollWidth: number; clientWidth: number; layout: BrowserInspection['layout'] };
    const screen = await geometry();
    // A4 portrait at 96 dpi less 2 cm margins: 718 CSS px.
    await send('Emulation.setEmulatedMedia', { media: 'print' }, sessionId);
    await send('Emulation.setDeviceMetricsOverride', { width: PRINT_WIDTH, height: 1100, deviceScaleFactor: 1, mobile: false }, sessionId);
    const printed = await geometry();
    const print = { pageWidth: printed.clientWidth, scrollWidth: printed.scrollWidth, overflowing: printed.layout.filter((c) => c.right > printed.clientWidth + 0.5).map((c) => c.id) };
    await send('Emulation.setEmulatedMedia', { media: '' }, sessionId);
    await send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false }, sessionId);
    let screenshotPath: string | undefined;
    if (options.screenshotPath) {
      const metrics = await send('Page.getLayoutMetrics', {}, sessionId);
      const size = metrics.cssContentSize ?? metrics.contentSize;
      const shot = await send('Page.captureScreenshot', {
        format: 'png', captureBeyondViewport: true,
        clip: { x: 0, y: 0, width: Math.ceil(size.width), height: Math.min(Math.ceil(size.height), 16_000), scale: 1 },
      }, sessionId);
      screenshotPath = resolve(options.screenshotPath);
      await atomicWriteFile(screenshotPath, Buffer.from(shot.data, 'base64'));
    }
    await send('Browser.close').catch(() => undefined);
    return { ...page, layout: screen.layout, scrollWidth: screen.scrollWidth, print, consoleErrors, externalRequests, screenshotPath };
  };

  try {
    return await Promise.race([run(), exited, timeout]);
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    await rm(profile, { recursive: true, force: true });
  }
}
