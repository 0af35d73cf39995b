/**
 * Routes one validated request to the host's own handlers or to the engine,
 * the same way in the Electron main process and in `tideline serve`.
 */
import { requests } from '../../shared/contract/requests';
import type { HostRequestName, RequestHandlers } from '../../shared/contract/types';
import { validateRequest } from '../../shared/contract/validate';
import { fail, type Result } from '../../shared/errors';
import type { EngineSupervisor } from '../engine-supervisor/engine-supervisor';
import { getLogger } from '../engine/logging';

const log = getLogger('host.requests');

export type RouteRequest = (name: string, argument: unknown) => Promise<Result<unknown>>;

/**
 * Build a router. It validates the argument against the contract (returning
 * `invalid-argument` with the field), then calls the host handler or forwards
 * to the engine, which validates again at its own boundary. A successful
 * `capture.open` also goes to the top of Open Recent.
 */
export function createRequestRouter(
  hostHandlers: RequestHandlers<HostRequestName>,
  engine: Pick<EngineSupervisor, 'request'>,
  onCaptureOpened?: (path: string) => void,
): RouteRequest {
  return async (name, argument) => {
    const validated = validateRequest(name, argument);
    if (!validated.ok) {
      log.debug({ request: String(name).slice(0, 80), field: validated.error.details.field }, 'request rejected');
      return validated;
    }
    const requestName = name as keyof typeof requests;
    if (requests[requestName].handledBy === 'host') {
      const handler = hostHandlers[requestName as HostRequestName] as (
        value: unknown,
      ) => Promise<Result<unknown>> | Result<unknown>;
      try {
        return await handler(validated.value);
      } catch (error) {
        log.error({ request: name, err: error }, 'host request handler failed');
        return fail('internal', `Handling ${name} failed: ${error instanceof Error ? error.message : String(error)}`, {
          request: name,
        });
      }
    }

    const result = await engine.request(name, validated.value);
    if (name === 'capture.open' && result.ok) onCaptureOpened?.((result.value as { path: string }).path);
    return result;
  };
}
