/**
 * Registers one `ipcMain.handle` channel per contract request. Each call is
 * checked for its sender before the router validates the argument and
 * passes it to the host handlers or the engine.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';

import { requestNames } from '../../shared/contract/names';
import { fail } from '../../shared/errors';
import type { RouteRequest } from '../host-state/request-router';
import { requestChannelOf } from '../preload/ipc-channels';

export function registerRequestHandlers(
  ipcMain: Pick<IpcMain, 'handle'>,
  routeRequest: RouteRequest,
  isAccepted: (event: IpcMainInvokeEvent, channel: string) => boolean,
): void {
  for (const name of requestNames) {
    const channel = requestChannelOf(name);
    ipcMain.handle(channel, (event, argument: unknown) => {
      if (!isAccepted(event, channel))
        return fail('forbidden', `The request ${name} came from a frame that is not the Tideline page.`, {
          request: name,
        });
      return routeRequest(name, argument);
    });
  }
}
