/**
 * Accepts IPC only from the top frame of one of our windows showing our
 * page; every rejection is logged with its reason.
 */
import type { IpcMainInvokeEvent } from 'electron';

import { getLogger } from '../engine/logging';
import { createRepeatLimiter } from '../security/repeat-limiter';
import { isRendererUrl, type RendererLocation } from './renderer-location';

const log = getLogger('app.ipc');
const limitRepeats = createRepeatLimiter();

export type SenderVerdict = { isTrusted: true } | { isTrusted: false; reason: string };

/** The fields of an IPC event the check reads (a subset of IpcMainInvokeEvent). */
export type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

/**
 * Check one IPC event. `trustedContentsIds` are the webContents ids of our
 * windows. Returns a verdict, with the reason when the sender is rejected.
 */
export function checkSender(
  event: SenderEvent,
  trustedContentsIds: ReadonlySet<number>,
  location: RendererLocation,
): SenderVerdict {
  if (!trustedContentsIds.has(event.sender.id)) return { isTrusted: false, reason: 'sender is not a Tideline window' };
  const frame = event.senderFrame;
  if (frame === null || frame === undefined) return { isTrusted: false, reason: 'sender frame is gone' };
  if (frame.parent !== null || frame !== event.sender.mainFrame)
    return { isTrusted: false, reason: 'sender is not the top frame' };
  if (!isRendererUrl(frame.url, location))
    return { isTrusted: false, reason: 'sender frame is not at the Tideline page' };
  return { isTrusted: true };
}

/** Check one IPC event and log a rejection; returns true when the event may be handled. */
export function acceptSender(
  event: SenderEvent,
  channel: string,
  trustedContentsIds: ReadonlySet<number>,
  location: RendererLocation,
): boolean {
  const verdict = checkSender(event, trustedContentsIds, location);
  if (!verdict.isTrusted) {
    const repeat = limitRepeats(verdict.reason);
    if (repeat.shouldLog) {
      log.warn(
        { channel, reason: verdict.reason, contentsId: event.sender.id, suppressed: repeat.suppressed },
        'ipc message rejected',
      );
    }
  }
  return verdict.isTrusted;
}
