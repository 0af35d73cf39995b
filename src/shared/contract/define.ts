/**
 * Helpers that tie a request's argument schema to its result type and an
 * event's name to its payload type, without run-time cost for the types.
 */
import type { z } from 'zod';

/** Who handles a request: the engine process, or the host process (Electron main or the serve server). */
export type RequestHandler = 'engine' | 'host';

declare const resultMarker: unique symbol;
declare const payloadMarker: unique symbol;

/** A request: the zod schema of its argument, and its result type as a type-only marker. */
export interface RequestDefinition<
  TArgument extends z.ZodType,
  TResult,
  THandler extends RequestHandler = RequestHandler,
> {
  readonly argument: TArgument;
  /** Handled by the engine or by the host process (main or the serve server). */
  readonly handledBy: THandler;
  readonly [resultMarker]?: TResult;
}

/** An event: its payload type as a type-only marker. */
export interface EventDefinition<TPayload> {
  readonly [payloadMarker]?: TPayload;
  readonly source: 'engine' | 'host';
}

/**
 * Declare a request whose result type is `TResult`: call the returned
 * function with who handles it and the argument schema. (Two calls, because
 * TypeScript cannot infer the schema type once `TResult` is given.)
 */
export function defineRequest<TResult>() {
  return <THandler extends RequestHandler, TArgument extends z.ZodType>(
    handledBy: THandler,
    argument: TArgument,
  ): RequestDefinition<TArgument, TResult, THandler> => ({ argument, handledBy });
}

/** Declare an event whose payload type is `TPayload`. */
export function defineEvent<TPayload>(source: 'engine' | 'host'): EventDefinition<TPayload> {
  return { source };
}

export type ResultOf<TDefinition> =
  TDefinition extends RequestDefinition<z.ZodType, infer TResult, RequestHandler> ? TResult : never;

export type PayloadOf<TDefinition> = TDefinition extends EventDefinition<infer TPayload> ? TPayload : never;
