/**
 * The in-memory path a capture takes through the engine, for fuzzing:
 * CaptureStreamParser -> decodePacket -> FlowTable, with invariant checks on
 * what each stage hands the next. No files, no analyzers.
 */
import { CaptureFileError } from '../../src/main/engine/source/capture-file-error';
import { CaptureStreamParser } from '../../src/main/engine/source/capture-stream-parser';
import type { PacketRecord } from '../../src/main/engine/source/packet-record';
import { decodePacket } from '../../src/main/engine/decode/packet-decoder';
import {
  createDecodedPacket,
  MAX_NETWORK_LAYERS,
  type DecodedPacket,
} from '../../src/main/engine/decode/decoded-packet';
import { FlowTable } from '../../src/main/engine/flows/flow-table';
import type { FlowRecord } from '../../src/shared/domain/flow';

/** Smallest record a packet can arrive in: a pcap record header or a pcapng Simple Packet Block, 16 bytes. */
const MIN_PACKET_RECORD_BYTES = 16;

export interface PipelineOutcome {
  packets: number;
  warnings: number;
  flows: number;
  /** True when the parser rejected the input as not a capture (an expected, typed error). */
  isRejected: boolean;
  /** Invariants the stages broke, empty when all held. */
  violations: string[];
}

/**
 * Feeds `bytes` through the engine in chunks of `chunkSize` bytes. Returns
 * what came out and every broken invariant; throws whatever the engine
 * throws other than a CaptureFileError, so the caller records it as a crash.
 */
export function runPipeline(bytes: Uint8Array, chunkSize: number): PipelineOutcome {
  const violations: string[] = [];
  const decoded = createDecodedPacket();
  let packets = 0;
  let warnings = 0;
  let capturedBytes = 0;
  let lastOffset = -1;
  const flows: FlowRecord[] = [];
  const flowTable = new FlowTable({ onFlow: (flow) => flows.push(flow) });

  const parser = new CaptureStreamParser({
    onPacket: (record: PacketRecord) => {
      packets++;
      capturedBytes += record.data.length;
      checkRecord(record, packets, lastOffset, bytes.length, violations);
      lastOffset = record.fileOffset;
      decodePacket(record.data, record.linkType, decoded);
      checkDecoded(decoded, record, violations);
      flowTable.addPacket(decoded, record.data, record.timestampUs, record.packetNumber);
    },
    onWarning: () => {
      warnings++;
    },
  });

  let isRejected = false;
  try {
    for (let offset = 0; offset < bytes.length && !parser.hasStopped; offset += chunkSize) {
      parser.push(bytes.subarray(offset, offset + chunkSize));
    }
    parser.end();
  } catch (error) {
    if (!(error instanceof CaptureFileError)) throw error;
    isRejected = true;
  }
  flowTable.flush();

  // Counts can never exceed what the bytes hold.
  if (packets * MIN_PACKET_RECORD_BYTES > bytes.length) {
    violations.push(
      `${packets} packets from ${bytes.length} bytes: more than one per ${MIN_PACKET_RECORD_BYTES} bytes`,
    );
  }
  if (capturedBytes > bytes.length)
    violations.push(`captured lengths sum to ${capturedBytes}, more than the ${bytes.length} input bytes`);
  checkFlows(flows, packets, violations);
  return { packets, warnings, flows: flows.length, isRejected, violations };
}

function checkRecord(
  record: PacketRecord,
  expectedNumber: number,
  lastOffset: number,
  inputLength: number,
  violations: string[],
): void {
  if (record.packetNumber !== expectedNumber)
    violations.push(`packet ${expectedNumber} numbered ${record.packetNumber}`);
  if (record.data.length !== record.capturedLength) {
    violations.push(
      `packet ${expectedNumber}: data holds ${record.data.length} bytes but capturedLength is ${record.capturedLength}`,
    );
  }
  if (record.fileOffset <= lastOffset || record.fileOffset >= inputLength) {
    violations.push(
      `packet ${expectedNumber}: fileOffset ${record.fileOffset} not after ${lastOffset} and inside ${inputLength} bytes`,
    );
  }
  if (!Number.isFinite(record.timestampUs))
    violations.push(`packet ${expectedNumber}: timestampUs ${record.timestampUs}`);
}

/** Every offset the decoder reports must lie inside the packet, or later stages read past it. */
function checkDecoded(decoded: DecodedPacket, record: PacketRecord, violations: string[]): void {
  const length = record.data.length;
  if (decoded.layerCount < 0 || decoded.layerCount > MAX_NETWORK_LAYERS) {
    violations.push(`packet ${record.packetNumber}: layerCount ${decoded.layerCount}`);
    return;
  }
  for (let i = 0; i < decoded.layerCount; i++) {
    const layer = decoded.layers[i];
    if (layer === undefined) continue;
    const addressLength = layer.ipVersion === 6 ? 16 : 4;
    const isInside =
      layer.ipOffset >= 0 &&
      layer.ipOffset < length &&
      layer.sourceAddressOffset + addressLength <= length &&
      layer.destinationAddressOffset + addressLength <= length &&
      layer.payloadOffset >= 0 &&
      layer.payloadLength >= 0 &&
      (layer.payloadLength === 0 || layer.payloadOffset + layer.payloadLength <= length);
    if (!isInside) {
      violations.push(
        `packet ${record.packetNumber} layer ${i}: offsets outside ${length} bytes (ip ${layer.ipOffset}, addresses ${layer.sourceAddressOffset}/${layer.destinationAddressOffset}, payload ${layer.payloadOffset}+${layer.payloadLength})`,
      );
    }
  }
}

function checkFlows(flows: FlowRecord[], packets: number, violations: string[]): void {
  let flowPackets = 0;
  for (const flow of flows) {
    flowPackets += flow.originatorPackets + flow.responderPackets;
    const isOrdered =
      flow.firstPacketNumber >= 1 &&
      flow.firstPacketNumber <= flow.lastPacketNumber &&
      flow.lastPacketNumber <= packets;
    if (!isOrdered)
      violations.push(`flow ${flow.uid}: packets ${flow.firstPacketNumber}..${flow.lastPacketNumber} of ${packets}`);
    if (
      flow.originatorPackets < 0 ||
      flow.responderPackets < 0 ||
      flow.originatorIpBytes < 0 ||
      flow.responderIpBytes < 0
    ) {
      violations.push(`flow ${flow.uid}: negative count`);
    }
  }
  if (flowPackets > packets * MAX_NETWORK_LAYERS) {
    violations.push(`flows count ${flowPackets} packets, more than ${MAX_NETWORK_LAYERS} layers x ${packets} packets`);
  }
}
