import { pino, type Logger } from 'pino';

/**
 * The one pino logger of the engine and command line. Areas take a child
 * (`getLogger('engine.flows')`). Lines go to stderr so stdout stays free for
 * command output; TIDELINE_LOG_LEVEL sets the level (default "warn").
 */
const rootLogger: Logger = pino(
  { level: process.env.TIDELINE_LOG_LEVEL ?? 'warn', base: null },
  pino.destination({ fd: 2, sync: true }),
);

const children = new Map<string, Logger>();

export function getLogger(area: string): Logger {
  let child = children.get(area);
  if (child === undefined) {
    child = rootLogger.child({ area });
    children.set(area, child);
  }
  return child;
}
