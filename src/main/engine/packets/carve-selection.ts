/**
 * Carving from a case: the packets of selected flows, of an alert's
 * evidence, or of a time range plus display filter, written as pcapng with
 * bytes and timestamps identical to the source.
 */
import type { Alert } from '../../../shared/domain/alert';
import type { TimeRange } from '../../../shared/domain/query';
import { readFlowPackets, readPacketsByNumber, readPacketsForFilter } from '../store/case-queries';
import type { CaseStore, PacketIndexRow } from '../store/case-store';
import { readPacketsAt } from './capture-random-reader';
import { writeCarvedPcapng } from './carve-pcapng';

export type CarveResult =
  | { ok: true; path: string; packets: number; bytes: number }
  | { ok: false; code: 'nothing-selected' | 'several-sources' | 'source-missing' | 'not-a-packet' | 'unsupported' | 'invalid-filter'; message: string };

/** Packets of the flows with these uids, in packet order. */
export async function carveFlows(store: CaseStore, uids: readonly string[], outPath: string): Promise<CarveResult> {
  const rows: PacketIndexRow[] = [];
  for (const uid of uids) rows.push(...(await readFlowPackets(store, uid)));
  return carveRows(store, rows, outPath, `Tideline case ${store.manifest.name} (${store.manifest.id}): packets of flow${uids.length === 1 ? '' : 's'} ${uids.join(', ')}`);
}

/** Packets listed as an alert's evidence, plus the packets of its evidence flows. */
export async function carveAlertEvidence(store: CaseStore, alert: Alert, outPath: string, sourceId = 0): Promise<CarveResult> {
  const rows = await readPacketsByNumber(store, sourceId, alert.evidence.packetNumbers);
  for (const uid of alert.evidence.flowUids) rows.push(...(await readFlowPackets(store, uid)));
  const truncated = alert.evidence.isTruncated ? ' (the alert listed part of its evidence)' : '';
  return carveRows(store, rows, outPath, `Tideline case ${store.manifest.name} (${store.manifest.id}), alert ${alert.id}: ${alert.title}${truncated}`);
}

/** Packets in `timeRange` of the flows that match `filter`. */
export async function carveTimeRange(store: CaseStore, filter: string, timeRange: TimeRange, outPath: string): Promise<CarveResult> {
  const rows = await readPacketsForFilter(store, filter, timeRange);
  if (!rows.ok) return { ok: false, code: 'invalid-filter', message: `${rows.error.message} (column ${rows.error.column + 1})` };
  const described = filter.trim() === '' ? 'all flows' : `filter ${filter}`;
  return carveRows(store, rows.value, outPath, `Tideline case ${store.manifest.name} (${store.manifest.id}): ${described}, ${timeRange.startUs}-${timeRange.endUs} us`);
}

async function carveRows(store: CaseStore, rows: readonly PacketIndexRow[], outPath: string, comment: string): Promise<CarveResult> {
  const unique = new Map<string, PacketIndexRow>();
  for (const row of rows) unique.set(`${row.sourceId}:${row.packetNumber}`, row);
  const selected = [...unique.values()].sort((a, b) => a.sourceId - b.sourceId || a.packetNumber - b.packetNumber);
  if (selected.length === 0) return { ok: false, code: 'nothing-selected', message: 'The selection holds no packets, so no file was written.' };
  const sourceIds = new Set(selected.map((row) => row.sourceId));
  // NOTE: one carved file holds packets of one source; a case made of several captures carves per source.
  if (sourceIds.size > 1) return { ok: false, code: 'several-sources', message: `The selection spans ${sourceIds.size} source captures; carve one source at a time.` };
  const source = store.manifest.sources.find((candidate) => candidate.id === selected[0]!.sourceId);
  if (source === undefined) return { ok: false, code: 'source-missing', message: `Source ${selected[0]!.sourceId} is not in the case manifest.` };

  const read = await readPacketsAt(source.path, selected, source.interfaces);
  if (!read.ok) return read;
  const bytes = await writeCarvedPcapng(outPath, read.layout, read.packets, { comment });
  return { ok: true, path: outPath, packets: read.packets.length, bytes };
}
