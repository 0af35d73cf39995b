/**
 * The analyst's verdict on each alert (dismissed or confirmed), kept in a
 * JSON file beside the outputs until the case store keeps verdicts (its
 * alerts table has no verdict column yet). The file maps
 * alert ids to `{ status, note, changedAtMs }`; ids are stable across runs
 * (see deriveAlertId), so a verdict survives re-analysis.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { type AlertStatus, alertStatuses } from '../../../shared/domain/alert';

export const alertStateFileName = 'alert-state.json';

const verdictSchema = z.strictObject({
  status: z.enum(alertStatuses),
  note: z.string().max(10_000).default(''),
  changedAtMs: z.number().int().nonnegative(),
});

const stateFileSchema = z.strictObject({
  version: z.literal(1),
  verdicts: z.record(z.string().regex(/^A[0-9a-f]{16}$/), verdictSchema),
});

export type AlertVerdict = z.infer<typeof verdictSchema>;

export class AlertStateStore {
  private readonly verdicts = new Map<string, AlertVerdict>();

  constructor(private readonly path: string) {}

  /**
   * Read the file; a missing file is an empty store. Throws an Error naming
   * the file and field when the file exists but is not a valid state file.
   */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`alert state ${this.path}: not valid JSON (${(error as Error).message})`, { cause: error });
    }
    const parsed = stateFileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `alert state ${this.path}: field "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}`,
      );
    }
    this.verdicts.clear();
    for (const [id, verdict] of Object.entries(parsed.data.verdicts)) this.verdicts.set(id, verdict);
  }

  get(id: string): AlertVerdict | undefined {
    return this.verdicts.get(id);
  }

  /** Set a verdict; 'open' removes it. */
  set(id: string, status: AlertStatus, note = '', nowMs = Date.now()): void {
    if (status === 'open') this.verdicts.delete(id);
    else this.verdicts.set(id, { status, note, changedAtMs: nowMs });
  }

  statuses(): Map<string, AlertStatus> {
    return new Map([...this.verdicts].map(([id, verdict]) => [id, verdict.status]));
  }

  /** Write the file atomically (temporary file, then rename). */
  async save(): Promise<void> {
    const body = {
      version: 1,
      verdicts: Object.fromEntries([...this.verdicts].sort((a, b) => a[0].localeCompare(b[0]))),
    };
    const temporary = `${this.path}.tmp`;
    await writeFile(temporary, `${JSON.stringify(body, null, 2)}\n`);
    await rename(temporary, this.path);
  }
}
