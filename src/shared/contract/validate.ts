/**
 * Run-time check of a request's name and argument against the contract.
 * Every receiver (engine host, Electron main, serve server) calls this before
 * a handler gets the argument.
 */
import type { z } from 'zod';

import { fail, succeed, type Result } from '../errors';
import { requests } from './requests';
import type { RequestArgument, RequestName } from './types';

/** True when `name` is a request of the contract. */
export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requests, name);
}

/**
 * Check `argument` against the schema of request `name`. Returns the parsed
 * argument, or `unknown-request` or `invalid-argument`. An
 * `invalid-argument` error names the first bad field in `details.field` as a
 * path such as `sort.column` or `filter.hosts[2]`, and lists every problem
 * found in `details.issues`.
 */
export function validateRequest<TName extends RequestName>(
  name: TName,
  argument: unknown,
): Result<RequestArgument<TName>>;
export function validateRequest(name: string, argument: unknown): Result<unknown>;
export function validateRequest(name: string, argument: unknown): Result<unknown> {
  if (!isRequestName(name)) {
    return fail('unknown-request', `Unknown request "${String(name).slice(0, 80)}": it is not part of the contract.`, {
      request: String(name).slice(0, 80),
    });
  }

  const schema: z.ZodType = requests[name].argument;
  const parsed = schema.safeParse(argument);
  if (parsed.success) return succeed(parsed.data);

  const issues = parsed.error.issues.slice(0, 20).map((issue) => ({
    field: fieldOfIssue(issue),
    code: issue.code,
    message: issue.message,
  }));
  const first = issues[0] ?? { field: '(argument)', message: 'invalid value' };
  return fail('invalid-argument', `Invalid argument for ${name}: field "${first.field}": ${first.message}.`, {
    request: name,
    field: first.field,
    issues,
  });
}

/** Format an issue's path as `a.b[2].c`; unrecognized keys name the first extra key. */
function fieldOfIssue(issue: z.core.$ZodIssue): string {
  const path: PropertyKey[] = [...issue.path];
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) path.push(issue.keys[0] as string);
  if (path.length === 0) return '(argument)';

  let field = '';
  for (const segment of path) {
    if (typeof segment === 'number') field += `[${segment}]`;
    else field += field === '' ? String(segment) : `.${String(segment)}`;
  }
  return field;
}
