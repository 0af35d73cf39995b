/** Types derived from the request and event maps; no copy is kept by hand. */
import type { z } from 'zod';

import type { Result } from '../errors';
import type { PayloadOf, ResultOf } from './define';
import type { events } from './events';
import type { requests } from './requests';

export type RequestMap = typeof requests;
export type EventMap = typeof events;

export type RequestName = keyof RequestMap;
export type EventName = keyof EventMap;

/** Argument as the caller sends it (schema input). */
export type RequestArgument<TName extends RequestName> = z.input<RequestMap[TName]['argument']>;
/** Argument as a handler receives it after validation (schema output). */
export type ParsedArgument<TName extends RequestName> = z.output<RequestMap[TName]['argument']>;
export type RequestResult<TName extends RequestName> = ResultOf<RequestMap[TName]>;
export type EventPayload<TName extends EventName> = PayloadOf<EventMap[TName]>;

/** A handler for every request in `TNames`, as the engine host or main implements them. */
export type RequestHandlers<TNames extends RequestName = RequestName> = {
  [TName in TNames]: (
    argument: ParsedArgument<TName>,
  ) => Promise<Result<RequestResult<TName>>> | Result<RequestResult<TName>>;
};

/** Requests the engine handles, and those the host process (main or serve) handles itself. */
export type EngineRequestName = {
  [TName in RequestName]: RequestMap[TName]['handledBy'] extends 'engine' ? TName : never;
}[RequestName];
export type HostRequestName = Exclude<RequestName, EngineRequestName>;

/** `capture.open` -> `captureOpen`, `aggregates.hostGraph` -> `aggregatesHostGraph`. */
export type MethodName<TName extends string> = TName extends `${infer TArea}.${infer TVerb}`
  ? `${TArea}${Capitalize<TVerb>}`
  : never;

/** `capture.progress` -> `onCaptureProgress`. */
export type ListenerName<TName extends string> = `on${Capitalize<MethodName<TName>>}`;

/** An argument that may be left out when the request takes an empty object. */
type ArgumentParameter<TName extends RequestName> =
  Record<string, never> extends RequestArgument<TName>
    ? [argument?: RequestArgument<TName>]
    : [argument: RequestArgument<TName>];

/**
 * The page's API: one named function per request and one `on...` function
 * per event, which returns a function that removes the listener. The
 * preload exposes it as `window.tideline`; the WebSocket client builds the
 * same shape.
 */
export type TidelineApi = {
  [TName in RequestName as MethodName<TName>]: (
    ...argument: ArgumentParameter<TName>
  ) => Promise<Result<RequestResult<TName>>>;
} & {
  [TName in EventName as ListenerName<TName>]: (listener: (payload: EventPayload<TName>) => void) => () => void;
};
