/** Connects an EngineService to a parent channel: requests in, responses and events out. */
import { parseContractMessage, type EventMessage, type ResponseMessage } from '../../../shared/contract/messages';
import { getLogger } from '../logging';
import type { AnalyzeCapture } from './analyzer';
import { getDefaultCasesFolder } from '../store/case-paths';
import { EngineService } from './engine-service';
import type { EventPort, ParentChannel } from './parent-channel';

const log = getLogger('engine.process');

/** Serve contract requests arriving on `parent` until the process exits. Returns the service for tests. */
export function startEngineHost(parent: ParentChannel, analyze: AnalyzeCapture): EngineService {
  const eventPorts = new Set<EventPort>();

  const service = new EngineService({
    analyze,
    // Every capture opened from a file also becomes a case (TIDELINE_DATA_DIR moves the folder).
    casesFolder: getDefaultCasesFolder(),
    emit: (name, payload) => {
      const message: EventMessage = { type: 'event', name, payload };
      parent.post(message);
      for (const port of eventPorts) port.postMessage(message);
    },
  });

  parent.onMessage((raw, ports) => {
    if (isAttachEventPort(raw)) {
      for (const port of ports) {
        eventPorts.add(port);
        port.onClose(() => eventPorts.delete(port));
      }
      return;
    }
    const message = parseContractMessage(raw);
    if (message === null || message.type !== 'request') {
      log.warn({ type: typeof raw }, 'engine ignored a message that is not a request');
      return;
    }
    void service.handle(message.name, message.argument).then((result) => {
      const response: ResponseMessage = { type: 'response', id: message.id, result };
      parent.post(response);
    });
  });

  parent.post({ type: 'ready' });
  log.info({ channel: parent.kind, pid: process.pid }, 'engine process ready');
  return service;
}

function isAttachEventPort(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'attach-event-port';
}
