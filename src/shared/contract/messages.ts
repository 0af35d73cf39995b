/**
 * Envelopes that carry the contract over one message channel: the engine's
 * process channel, the Electron MessagePort to the page, and the WebSocket of
 * `tideline serve`. Plain JSON-safe objects.
 */
import type { Result } from '../errors';

export interface RequestMessage {
  type: 'request';
  /** Chosen by the sender, unique among its pending requests. */
  id: number;
  name: string;
  argument: unknown;
}

export interface ResponseMessage {
  type: 'response';
  id: number;
  result: Result<unknown>;
}

export interface EventMessage {
  type: 'event';
  name: string;
  payload: unknown;
}

export type ContractMessage = RequestMessage | ResponseMessage | EventMessage;

/**
 * Narrow an untrusted message to a contract envelope by its shape only; the
 * request's argument is checked later against its schema.
 */
export function parseContractMessage(value: unknown): ContractMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const message = value as Record<string, unknown>;
  const hasId = typeof message.id === 'number' && Number.isSafeInteger(message.id);

  if (message.type === 'request' && hasId && typeof message.name === 'string') {
    return { type: 'request', id: message.id as number, name: message.name, argument: message.argument };
  }
  if (message.type === 'response' && hasId && typeof message.result === 'object' && message.result !== null) {
    return { type: 'response', id: message.id as number, result: message.result as Result<unknown> };
  }
  if (message.type === 'event' && typeof message.name === 'string') {
    return { type: 'event', name: message.name, payload: message.payload };
  }
  return null;
}
