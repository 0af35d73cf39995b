import { runAnalyzeCommand } from './analyze-command';
import { isAnalyzeOutputWorker } from './analyze-output-worker';
import { USAGE_EXIT_CODE } from './exit-codes';

declare const TIDELINE_VERSION: string | undefined;

const HELP = `Usage: tideline <command> [options]

Commands:
  analyze FILE [--out DIR] [--format zeek|json] [--sort] [--filter EXPR]
      Read a pcap or pcapng file (gzip allowed) and write Zeek-style logs:
      conn.log, the application logs (dns.log, http.log, ssl.log, ...),
      notice.log and alerts.jsonl (see tideline analyze --help).
      --out DIR      folder for the logs, created if missing
                     (default: ./<file name>.tideline in the current directory)
      --format zeek  Zeek TSV with #fields/#types headers (default)
      --format json  Zeek JSON lines
      --sort         write conn.log rows in ts order (holds every flow in memory)
      --filter EXPR  keep in conn.log only the flows that match a Wireshark
                     display filter, e.g. 'tcp.port == 80'
      Prints a summary to stdout; a progress bar goes to stderr when it is a terminal.
  capture -i IFACE [-f FILTER] [-w FILE] [--out DIR] [--duration S] [--count N]
      Capture live traffic to pcapng and write the same logs as analyze
      (see tideline capture --help).
  serve [options]
      Serve the Tideline interface over HTTP and WebSocket (see tideline serve --help).

Options:
  -h, --help      show this help
  -v, --version   show the version

Exit status: 0 success (also when the capture had warnings), 1 the file could
not be read or the output not written, 2 invalid command line.
`;

/** Run the command line with `argv` (without node and script) and return the exit status. */
export async function runCommandLine(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? USAGE_EXIT_CODE : 0;
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`tideline ${typeof TIDELINE_VERSION === 'string' ? TIDELINE_VERSION : '0.1.0'}\n`);
    return 0;
  }
  if (command === 'analyze') return runAnalyzeCommand(rest);
  if (command === 'capture') {
    // Loaded on demand so other commands run where the capture addon is not built.
    const captureModule = (await import('./capture-command')) as { runCaptureCommand(argv: string[]): Promise<number> };
    return captureModule.runCaptureCommand(rest);
  }
  if (command === 'serve') {
    // Loaded on demand so `analyze` works without the server's dependencies.
    const serveModule = (await import('./serve-command')) as { runServeCommand(argv: string[]): Promise<number> };
    return serveModule.runServeCommand(rest);
  }
  process.stderr.write(`tideline: unknown command "${command}". Run "tideline --help" for the list of commands.\n`);
  return USAGE_EXIT_CODE;
}

// The bundle is also the entry of analyze's output thread (analyze-output-worker.ts), which runs no command.
if (!isAnalyzeOutputWorker) runCommandLine(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `tideline: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 70;
  },
);
