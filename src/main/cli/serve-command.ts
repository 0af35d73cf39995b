/**
 * `tideline serve [FILE] [--port N] [--host ADDR] [--tls-cert F --tls-key F]`:
 * serve the built renderer and the contract WebSocket for a browser.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { isLoopbackHost } from '../server/serve-server';
import { startServe } from '../server/start-serve';
import { FILE_ERROR_EXIT_CODE, SUCCESS_EXIT_CODE, USAGE_EXIT_CODE } from './exit-codes';

declare const TIDELINE_VERSION: string | undefined;

const HELP = `Usage: tideline serve [FILE] [options]

Serve the Tideline interface to a browser over HTTP and a WebSocket, with the
analysis engine running on this machine. Prints the URL to open; the URL
carries a random token that the WebSocket requires.

Arguments:
  FILE                 capture (pcap or pcapng) to open at start; others can be
                       opened from the page by their path on this machine

Options:
  --port N             TCP port to listen on (default 0: a free port)
  --host ADDR          address to listen on (default 127.0.0.1). Any address
                       other than loopback requires --tls-cert and --tls-key,
                       because the token would otherwise cross the network in
                       clear text. 0.0.0.0 or :: listens on every interface.
  --tls-cert FILE      PEM certificate chain; serves HTTPS and WSS
  --tls-key FILE       PEM private key of that certificate
  --allow-origin URL   also accept WebSocket connections from pages loaded at
                       this origin (for example https://nta.example.org when a
                       DNS name or reverse proxy fronts the server); repeatable
  --renderer DIR       built renderer to serve (default: out/renderer of this
                       installation)
  -h, --help           show this help

Stop with Ctrl+C.
`;

interface ServeArguments {
  file: string | null;
  port: number;
  host: string;
  tlsCertPath: string | null;
  tlsKeyPath: string | null;
  extraOrigins: string[];
  rendererRoot: string;
}

/** Run `tideline serve`; resolves with the exit status once the server stopped (Ctrl+C or SIGTERM). */
export async function runServeCommand(argv: string[]): Promise<number> {
  const outcome = parseServeArguments(argv);
  if (outcome.kind === 'help') {
    process.stdout.write(HELP);
    return SUCCESS_EXIT_CODE;
  }
  if (outcome.kind === 'invalid') {
    process.stderr.write(`tideline serve: ${outcome.message}\nRun "tideline serve --help" for the options.\n`);
    return USAGE_EXIT_CODE;
  }
  const parsed = outcome.arguments;

  if (!existsSync(join(parsed.rendererRoot, 'index.html'))) {
    process.stderr.write(
      `tideline serve: ${join(parsed.rendererRoot, 'index.html')} is missing. Run "npm run build" first.\n`,
    );
    return FILE_ERROR_EXIT_CODE;
  }
  const tls = readTls(parsed);
  if (typeof tls === 'string') {
    process.stderr.write(`tideline serve: ${tls}\n`);
    return FILE_ERROR_EXIT_CODE;
  }

  let session;
  try {
    session = await startServe({
      rendererRoot: parsed.rendererRoot,
      host: parsed.host,
      port: parsed.port,
      tls,
      extraOrigins: parsed.extraOrigins,
      version: typeof TIDELINE_VERSION === 'string' ? TIDELINE_VERSION : '0.1.0',
    });
  } catch (error) {
    process.stderr.write(
      `tideline serve: cannot listen on ${parsed.host}:${parsed.port}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return FILE_ERROR_EXIT_CODE;
  }

  process.stdout.write(`Tideline is serving at ${session.server.url}\nOpen that URL in a browser; stop with Ctrl+C.\n`);
  if (parsed.file !== null) {
    const opened = await session.routeRequest('capture.open', { path: parsed.file });
    if (!opened.ok) process.stderr.write(`tideline serve: ${opened.error.message}\n`);
  }

  await waitForStopSignal();
  await session.close();
  return SUCCESS_EXIT_CODE;
}

export type ServeArgumentsOutcome =
  { kind: 'arguments'; arguments: ServeArguments } | { kind: 'help' } | { kind: 'invalid'; message: string };

/** Parse argv into the arguments, a help request, or a message that names the invalid option. */
export function parseServeArguments(argv: string[]): ServeArgumentsOutcome {
  const invalid = (message: string): ServeArgumentsOutcome => ({ kind: 'invalid', message });
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        renderer: { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return invalid(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return { kind: 'help' };
  if (positionals.length > 1)
    return invalid(`expected at most one capture file, got ${positionals.length}: ${positionals.join(' ')}`);

  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    return invalid(`--port must be an integer from 0 to 65535, got "${values.port}"`);

  const host = values.host ?? '127.0.0.1';
  const tlsCertPath = values['tls-cert'] ?? null;
  const tlsKeyPath = values['tls-key'] ?? null;
  if ((tlsCertPath === null) !== (tlsKeyPath === null))
    return invalid('--tls-cert and --tls-key must be given together');
  if (!isLoopbackHost(host) && tlsCertPath === null) {
    return invalid(
      `refusing to listen on ${host} without TLS: the access token would cross the network in clear text. Give --tls-cert and --tls-key, or keep the default --host 127.0.0.1`,
    );
  }

  const extraOrigins: string[] = [];
  for (const origin of values['allow-origin'] ?? []) {
    const parsedOrigin = URL.canParse(origin) ? new URL(origin).origin : 'null';
    if (parsedOrigin === 'null' || parsedOrigin !== origin.replace(/\/$/, '')) {
      return invalid(
        `--allow-origin must be an origin such as https://nta.example.org (scheme, host, optional port), got "${origin}"`,
      );
    }
    extraOrigins.push(parsedOrigin);
  }

  const serveArguments: ServeArguments = {
    file: positionals[0] === undefined ? null : resolve(positionals[0]),
    port,
    host,
    tlsCertPath,
    tlsKeyPath,
    extraOrigins,
    rendererRoot: resolve(values.renderer ?? join(findPackageRoot(), 'out', 'renderer')),
  };
  return { kind: 'arguments', arguments: serveArguments };
}

function readTls(parsed: ServeArguments): { cert: Buffer; key: Buffer } | undefined | string {
  if (parsed.tlsCertPath === null || parsed.tlsKeyPath === null) return undefined;
  try {
    return { cert: readFileSync(parsed.tlsCertPath), key: readFileSync(parsed.tlsKeyPath) };
  } catch (error) {
    return `cannot read the TLS certificate or key: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Find the folder of Tideline's package.json by walking up from this module (source or bundle). */
function findPackageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth += 1) {
    const candidate = join(directory, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'tideline')
      return directory;
    directory = dirname(directory);
  }
  return process.cwd();
}

function waitForStopSignal(): Promise<void> {
  return new Promise((resolveStop) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
