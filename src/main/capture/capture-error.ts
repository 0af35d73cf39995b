/** Reason a live capture could not start or ended early. */
export type CaptureErrorCode =
  | 'capture-unavailable'
  | 'capture-permission-denied'
  | 'no-such-device'
  | 'interface-down'
  | 'interface-removed'
  | 'invalid-filter'
  | 'invalid-argument'
  | 'disk-full'
  | 'file-write-failed'
  | 'capture-failed';

/** An expected live-capture failure, with a message that names the next step. */
export class CaptureError extends Error {
  override readonly name = 'CaptureError';
  readonly code: CaptureErrorCode;

  constructor(code: CaptureErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
