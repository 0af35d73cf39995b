import { checkDisplayFilter } from '../engine/filter/display-filter';

/** Parsed `tideline analyze` command line. */
export interface AnalyzeArguments {
  file: string;
  outputDirectory: string | null;
  format: 'zeek' | 'json';
  /** True for --sort: hold every row and write conn.log in ts order at the end. */
  isSorted: boolean;
  isHelp: boolean;
  /** Display filter of --filter: conn.log keeps the flows that match it; null keeps every flow. */
  displayFilter: string | null;
}

/** Parse `analyze` arguments. Returns the arguments or an error message for a usage error. */
export function parseAnalyzeArguments(argv: string[]): AnalyzeArguments | { error: string } {
  let file: string | null = null;
  let outputDirectory: string | null = null;
  let format: 'zeek' | 'json' = 'zeek';
  let isSorted = false;
  let displayFilter: string | null = null;

  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i] ?? '';
    if (argument === '-h' || argument === '--help') {
      return { file: '', outputDirectory: null, format, isSorted, isHelp: true, displayFilter };
    }
    if (argument === '--sort') {
      isSorted = true;
      continue;
    }

    const [name, inlineValue] =
      argument.startsWith('--') && argument.includes('=') ? splitOnce(argument) : [argument, undefined];
    if (name === '--filter') {
      const value = inlineValue ?? argv[++i];
      if (value === undefined) return { error: '--filter requires a display filter, e.g. --filter \'tcp.port == 80\'' };
      const checked = checkDisplayFilter(value);
      if (!checked.ok) {
        const { column, message } = checked.error;
        return { error: `--filter is invalid at column ${column + 1}: ${message}\n  ${value}\n  ${' '.repeat(column)}^` };
      }
      displayFilter = value.trim() === '' ? null : value;
      continue;
    }
    if (name === '--out' || name === '--format') {
      const value = inlineValue ?? argv[++i];
      if (value === undefined || value === '') return { error: `${name} requires a value` };
      if (name === '--out') outputDirectory = value;
      else if (value === 'zeek' || value === 'json') format = value;
      else return { error: `--format must be "zeek" or "json", found "${value}"` };
      continue;
    }
    if (argument.startsWith('-') && argument !== '-') return { error: `unknown option "${argument}"` };
    if (file !== null) return { error: `only one capture file is accepted, found "${file}" and "${argument}"` };
    file = argument;
  }

  if (file === null)
    return { error: 'missing capture file: tideline analyze FILE [--out DIR] [--format zeek|json] [--sort]' };
  return { file, outputDirectory, format, isSorted, isHelp: false, displayFilter };
}

function splitOnce(argument: string): [string, string] {
  const index = argument.indexOf('=');
  return [argument.slice(0, index), argument.slice(index + 1)];
}
