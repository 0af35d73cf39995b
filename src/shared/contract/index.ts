/**
 * The contract between the page, the host processes and the engine: every
 * request (argument schema, result type) and every event (payload type),
 * declared once. See `requests.ts` and `events.ts` for the entries.
 */
export { requests } from './requests';
export type { AlertList, AppInfo, OpenedCapture } from './requests';
export { events } from './events';
export type {
  CaptureBatch,
  CaptureDone,
  CaptureFailed,
  CaptureStarted,
  EngineCrashed,
  EngineRestarted,
} from './events';
export { defineEvent, defineRequest } from './define';
export type { EventDefinition, RequestDefinition } from './define';
export * from './types';
export { eventNames, listenerNameOf, methodNameOf, preloadGlobalName, requestNames } from './names';
export { isRequestName, validateRequest } from './validate';
export { parseContractMessage } from './messages';
export type { ContractMessage, EventMessage, RequestMessage, ResponseMessage } from './messages';
export * from '../errors';
export * from '../domain/query';
export * from '../domain/aggregates';
export * from '../domain/alert';
export * from '../domain/allow-list';
export * from '../domain/record-table';
export * from '../domain/host';
export * from '../domain/capture-status';
export * from '../domain/settings';
export * from '../domain/live-capture';
export type * from '../domain/flow';
export type * from '../domain/capture-summary';
