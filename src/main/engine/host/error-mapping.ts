/** Maps errors thrown while opening or reading a capture to contract errors. */
import type { ContractError, ErrorCode } from '../../../shared/errors';

/** Node's errno codes and the capture reader's codes, mapped to the contract's. */
const codeMap: Record<string, ErrorCode> = {
  ENOENT: 'file-not-found',
  'not-found': 'file-not-found',
  EACCES: 'permission-denied',
  EPERM: 'permission-denied',
  'permission-denied': 'permission-denied',
  EISDIR: 'read-failed',
  'is-directory': 'read-failed',
  'not-a-capture': 'read-failed',
  'read-failed': 'read-failed',
  ABORT_ERR: 'cancelled',
};

/**
 * Describe `error` from loading `path` as a contract error. Errors with a
 * known `code` keep their message, which names the file; anything else
 * becomes `read-failed`.
 */
export function describeLoadError(error: unknown, path: string): ContractError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : String(error);
  const mapped = codeMap[code] ?? (error instanceof Error && error.name === 'AbortError' ? 'cancelled' : 'read-failed');
  return {
    code: mapped,
    message: mapped === 'read-failed' && !message.includes(path) ? `Reading ${path} failed: ${message}` : message,
    details: { path, cause: code || (error instanceof Error ? error.name : 'unknown') },
  };
}

/**
 * Describe an error from checking `path` before a load (stat) in the words
 * `tideline analyze` uses for the same failure (the capture reader's
 * CaptureFileError messages), so the app and the CLI show the same message.
 */
export function describeOpenError(error: unknown, path: string): ContractError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const cause = code || (error instanceof Error ? error.name : 'unknown');
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return { code: 'file-not-found', message: `Capture file not found: ${path}. Check the path.`, details: { path, cause } };
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return {
      code: 'permission-denied',
      message:
        `Permission denied reading ${path}. Make the file readable by this user (for example \`chmod o+r\`) ` +
        'or copy it somewhere readable.',
      details: { path, cause },
    };
  }
  return describeLoadError(error, path);
}
