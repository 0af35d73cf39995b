import { describe, expect, it, vi } from 'vitest';

import { registerRequestHandlers } from '../../src/main/app/ipc-host';
import { createHostHandlers } from '../../src/main/host-state/host-handlers';
import { RecentCaptures } from '../../src/main/host-state/recent-captures';
import { createRequestRouter } from '../../src/main/host-state/request-router';
import { SettingsStore } from '../../src/main/host-state/settings-store';
import { requestNames } from '../../src/shared/contract';

vi.mock('electron', () => ({}));

type Handler = (event: unknown, argument: unknown) => unknown;

function setUp(isAccepted: boolean) {
  const handlers = new Map<string, Handler>();
  const engine = {
    request: vi.fn(() => Promise.resolve({ ok: true as const, value: { captureId: 'c1', path: '/data/a.pcap' } })),
  };
  const recent = new RecentCaptures(null);
  const router = createRequestRouter(
    createHostHandlers({
      recent,
      settings: new SettingsStore(null),
      info: { mode: 'desktop', version: '1', canShowFileDialog: true },
    }),
    engine,
    (path) => recent.add(path),
  );
  registerRequestHandlers(
    { handle: (channel: string, handler: Handler) => handlers.set(channel, handler) } as never,
    router,
    () => isAccepted,
  );
  return { handlers, engine, recent };
}

describe('registerRequestHandlers', () => {
  it('registers one channel per request', () => {
    const { handlers } = setUp(true);
    expect([...handlers.keys()].sort()).toEqual(requestNames.map((name) => `tideline:${name}`).sort());
  });

  it('answers forbidden to a refused sender', async () => {
    const { handlers, engine } = setUp(false);
    const result = await handlers.get('tideline:capture.open')?.({}, { path: '/data/a.pcap' });
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(engine.request).not.toHaveBeenCalled();
  });

  it('validates before the engine sees a request', async () => {
    const { handlers, engine } = setUp(true);
    const result = await handlers.get('tideline:capture.open')?.({}, { path: 42 });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-argument', details: { field: 'path' } } });
    expect(engine.request).not.toHaveBeenCalled();
  });

  it('forwards engine requests and records opened captures', async () => {
    const { handlers, engine, recent } = setUp(true);
    const result = await handlers.get('tideline:capture.open')?.({}, { path: '/data/a.pcap' });
    expect(result).toEqual({ ok: true, value: { captureId: 'c1', path: '/data/a.pcap' } });
    expect(engine.request).toHaveBeenCalledWith('capture.open', { path: '/data/a.pcap' });
    expect(recent.list().map((entry) => entry.path)).toEqual(['/data/a.pcap']);
  });

  it('answers host requests without the engine', async () => {
    const { handlers, engine } = setUp(true);
    const settings = await handlers.get('tideline:settings.set')?.({}, { theme: 'dark' });
    expect(settings).toEqual({ ok: true, value: { timeZone: 'utc', theme: 'dark' } });
    expect(engine.request).not.toHaveBeenCalled();
  });
});
