/**
 * A bare DevTools-protocol driver for Debian Chromium. It enables only the
 * domains it uses (Page, Runtime, Input, Tracing), while Playwright always
 * enables the Network domain, whose inspector then records every WebSocket
 * frame from the page's main thread.
 * NOTE: the cost of that instrumentation was not isolated. In three loads
 * of 1 GiB the longest task by thread time was 27 to 30 ms with this driver
 * and 47 ms under Playwright.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import WebSocket from 'ws';

import { CHROMIUM_PATH } from './app-session';

interface Pending {
  resolve(value: Record<string, unknown>): void;
  reject(error: Error): void;
}

export interface BareBrowser {
  /** Sends a command to the browser target, or to the page's session when `session` is set. */
  send(method: string, params?: Record<string, unknown>, session?: string): Promise<Record<string, unknown>>;
  /** Opens a blank page, attaches to it and returns the session id. */
  openPage(width: number, height: number): Promise<string>;
  /** Evaluates an expression in the page and returns its value (by value). */
  evaluate(session: string, expression: string): Promise<unknown>;
  startTracing(categories: string[]): Promise<void>;
  stopTracing(): Promise<Buffer>;
  close(): Promise<void>;
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--remote-debugging-port=0',
];

function waitForEndpoint(child: ChildProcess): Promise<string> {
  return new Promise((done, fail) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`Chromium printed no DevTools endpoint within 30 s:\n${output}`)),
      30_000,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        done(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`Chromium exited with code ${code} before listening:\n${output}`));
    });
  });
}

export async function launchBareChromium(): Promise<BareBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'tideline-bench-chromium-'));
  const child = spawn(CHROMIUM_PATH, [...CHROMIUM_ARGS, `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const endpoint = await waitForEndpoint(child);
  const socket = new WebSocket(endpoint, { maxPayload: 1 << 30 });
  await new Promise((done, fail) => {
    socket.once('open', done);
    socket.once('error', fail);
  });
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const traceChunks: unknown[] = [];
  let traceDone: (() => void) | null = null;
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as {
      id?: number;
      method?: string;
      params?: { value?: unknown[] };
      result?: Record<string, unknown>;
      error?: { message: string };
    };
    if (message.id !== undefined) {
      const request = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) request?.reject(new Error(message.error.message));
      else request?.resolve(message.result ?? {});
    } else if (message.method === 'Tracing.dataCollected') {
      traceChunks.push(...(message.params?.value ?? []));
    } else if (message.method === 'Tracing.tracingComplete') {
      traceDone?.();
    }
  });
  const send = (method: string, params: Record<string, unknown> = {}, session?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params, ...(session ? { sessionId: session } : {}) }));
    });
  return {
    send,
    async openPage(width, height) {
      const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      await send(
        'Emulation.setDeviceMetricsOverride',
        { width, height, deviceScaleFactor: 1, mobile: false },
        sessionId as string,
      );
      return sessionId as string;
    },
    async evaluate(session, expression) {
      const reply = (await send(
        'Runtime.evaluate',
        { expression, returnByValue: true, awaitPromise: true },
        session,
      )) as {
        result?: { value?: unknown };
        exceptionDetails?: { text: string };
      };
      if (reply.exceptionDetails) throw new Error(`${expression.slice(0, 80)}: ${reply.exceptionDetails.text}`);
      return reply.result?.value;
    },
    async startTracing(categories) {
      await send('Tracing.start', { traceConfig: { includedCategories: categories }, transferMode: 'ReportEvents' });
    },
    async stopTracing() {
      const complete = new Promise<void>((done) => (traceDone = done));
      await send('Tracing.end');
      await complete;
      return Buffer.from(JSON.stringify({ traceEvents: traceChunks }));
    },
    async close() {
      const exited = new Promise((done) => child.once('exit', done));
      await send('Browser.close').catch(() => child.kill('SIGTERM'));
      await exited;
      socket.close();
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  };
}
