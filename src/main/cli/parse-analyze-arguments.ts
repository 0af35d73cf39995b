/** Parsed `tideline analyze` command line. */
export interface AnalyzeArguments {
  file: string;
  outputDirectory: string | null;
  format: 'zeek' | 'json';
  /** True for --sort: hold every row and write conn.log in ts order at the end. */
  isSorted: boolean;
  isHelp: boolean;
}

/** Parse `analyze` arguments. Returns the arguments or an error message for a usage error. */
export function parseAnalyzeArguments(argv: string[]): AnalyzeArguments | { error: string } {
  let file: string | null = null;
  let outputDirectory: string | null = null;
  let format: 'zeek' | 'json' = 'zeek';
  let isSorted = false;

  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i] ?? '';
    if (argument === '-h' || argument === '--help') {
      return { file: '', outputDirectory: null, format, isSorted, isHelp: true };
    }
    if (argument === '--sort') {
      isSorted = true;
      continue;
    }

    const [name, inlineValue] =
      argument.startsWith('--') && argument.includes('=') ? splitOnce(argument) : [argument, undefined];
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
  return { file, outputDirectory, format, isSorted, isHelp: false };
}

function splitOnce(argument: string): [string, string] {
  const index = argument.indexOf('=');
  return [argument.slice(0, index), argument.slice(index + 1)];
}
