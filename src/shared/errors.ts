/**
 * Error codes and the result shape shared by every request of the contract.
 *
 * A request never rejects across a transport: it resolves to a `Result`,
 * because Electron's `invoke` keeps only an error's message and a WebSocket
 * carries no exceptions at all.
 */

export const errorCodes = [
  /** The argument failed the request's schema; `details.field` names the first bad field. */
  'invalid-argument',
  /** No request of that name exists in the contract. */
  'unknown-request',
  /** The capture id, flow uid or other named item does not exist (any more). */
  'not-found',
  /** The file to open does not exist. */
  'file-not-found',
  /** The operating system denied access to a file. */
  'permission-denied',
  /** The file exists but reading or parsing it failed. */
  'read-failed',
  /** The operation was cancelled before it finished. */
  'cancelled',
  /** The request needs something this host does not offer (a file dialog in `tideline serve`). */
  'unsupported',
  /** The engine process exited while the request was pending. */
  'engine-crashed',
  /** The engine is (re)starting and took no request. */
  'engine-unavailable',
  /** The sender may not make requests (a foreign frame or window); the rejection is logged. */
  'forbidden',
  /** The request did not finish within the transport's time limit. */
  'timed-out',
  /** A bug: the handler threw. `details` carries no stack, the log does. */
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** JSON-safe details of an error: strings, numbers, booleans, null, arrays and plain objects. */
export type ErrorDetails = Record<string, unknown>;

export interface ContractError {
  code: ErrorCode;
  /** A sentence for the analyst: what failed, on which value, and what to do next. */
  message: string;
  details: ErrorDetails;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ContractError };

/** Wrap a value as a successful result. */
export function succeed<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Build a failed result with the given code, message and details. */
export function fail<T = never>(code: ErrorCode, message: string, details: ErrorDetails = {}): Result<T> {
  return { ok: false, error: { code, message, details } };
}

/** True when `value` is one of the contract's error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}
