/**
 * The packet view's data for one packet: read by its indexed offset (no
 * re-read of the packets before it) and decoded into a tree.
 */
import type { PacketDetail } from '../../../shared/domain/packet-tree';
import type { CaseStore } from '../store/case-store';
import { readPacketsByNumber } from '../store/case-queries';
import { readPacketsAt } from './capture-random-reader';
import { decodePacketTree } from './packet-tree-decoder';

export type PacketDetailResult =
  | { ok: true; value: PacketDetail }
  | { ok: false; code: 'unknown-packet' | 'source-missing' | 'not-a-packet' | 'unsupported'; message: string };

/** Decode packet `packetNumber` of source `sourceId` of the case. */
export async function readPacketDetail(store: CaseStore, sourceId: number, packetNumber: number): Promise<PacketDetailResult> {
  const [row] = await readPacketsByNumber(store, sourceId, [packetNumber]);
  const source = store.manifest.sources.find((candidate) => candidate.id === sourceId);
  if (row === undefined || source === undefined) {
    return { ok: false, code: 'unknown-packet', message: `Packet ${packetNumber} of source ${sourceId} is not in this case's packet index.` };
  }
  const read = await readPacketsAt(source.path, [row], source.interfaces);
  if (!read.ok) return read;
  const packet = read.packets[0]!;
  const tree = decodePacketTree(packet.data, packet.linkType, { packetNumber, timestampUs: packet.timestampUs, originalLength: packet.originalLength });
  return {
    ok: true,
    value: {
      packetNumber,
      sourceId,
      timestampUs: packet.timestampUs,
      capturedLength: packet.capturedLength,
      originalLength: packet.originalLength,
      linkType: packet.linkType,
      layers: tree.layers,
      bytesBase64: Buffer.from(packet.data).toString('base64'),
      problems: tree.problems,
    },
  };
}
