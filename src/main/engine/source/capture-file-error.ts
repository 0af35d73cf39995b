/**
 * Errors that stop a capture file from being read at all. The readers report
 * problems inside a readable capture as `CaptureFileWarning`s through
 * onWarning instead of throwing.
 */

export type CaptureFileErrorCode = 'not-found' | 'permission-denied' | 'is-directory' | 'not-a-capture' | 'read-failed';

/** A capture file that cannot be opened or read; the message names the file. */
export class CaptureFileError extends Error {
  readonly code: CaptureFileErrorCode;
  /** The file, or the source name the caller gave the stream parser. */
  readonly path: string;

  constructor(code: CaptureFileErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CaptureFileError';
    this.code = code;
    this.path = path;
  }
}

/** The first bytes are not a pcap or pcapng header. */
export class NotACaptureError extends CaptureFileError {
  /** Description of the format the bytes resemble, with its article, e.g. "a gzip file" or "an xz file". */
  readonly detectedFormat: string;
  /** Hex of up to the first 16 bytes, e.g. "1f 8b 08 00". Empty for an empty file. */
  readonly firstBytesHex: string;

  constructor(path: string, message: string, detectedFormat: string, firstBytesHex: string) {
    super('not-a-capture', path, message);
    this.name = 'NotACaptureError';
    this.detectedFormat = detectedFormat;
    this.firstBytesHex = firstBytesHex;
  }
}
