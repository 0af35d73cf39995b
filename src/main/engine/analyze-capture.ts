import type { CaptureSummary, LinkTypeCount, ProblemTally } from '../../shared/domain/capture-summary';
import type { FlowRecord } from '../../shared/domain/flow';
import { type DecodedPacket, createDecodedPacket } from './decode/decoded-packet';
import { getLinkTypeName } from './decode/link-types';
import { decodePacket } from './decode/packet-decoder';
import { type FlowAnalyzer, combineFlowAnalyzers } from './flows/flow-hooks';
import { FlowTable } from './flows/flow-table';
import type { FlowTimeouts } from './flows/flow-timeouts';
import { getLogger } from './logging';
import type { PacketRecord } from './source/packet-record';
import { readCaptureFile } from './source/read-capture-file';

/** Examples kept per problem code. */
const MAX_PROBLEM_EXAMPLES = 5;
/** Finished flows are handed over in batches of this size. */
const FLOW_BATCH_SIZE = 512;

export interface AnalyzeOptions {
  signal?: AbortSignal;
  onProgress?(progress: { bytesRead: number; totalBytes: number; packets: number; flows: number }): void;
  /** Receives batches of finished flows while the file is read, then the remaining flows at the end. */
  onFlows?(flows: FlowRecord[]): void;
  flowTimeouts?: Partial<FlowTimeouts>;
  /**
   * Application analyzers: each sees every network layer that joined a flow
   * (`onFlowPacket`, with a reused event) and each flow before its record is
   * built (`onFlowEnd`), in array order; `onCaptureEnd` runs after the last
   * flow left. See flows/flow-hooks.ts for the rules.
   */
  analyzers?: FlowAnalyzer | readonly FlowAnalyzer[];
  /**
   * Called for every packet right after it is decoded, before it joins a
   * flow: the hook for link-layer observers (MACs, ARP, DHCP servers) that
   * need packets no flow sees. Both arguments are reused for the next
   * packet and `record.data` is borrowed: keep nothing past the call.
   */
  onDecodedPacket?(decoded: DecodedPacket, record: PacketRecord): void;
}

export interface AnalysisResult {
  summary: CaptureSummary;
  /** Flow-table figures: the most flows held at once, which bounds the engine's memory, and the flows created. */
  flowTableStats: { peakActiveFlows: number; createdFlows: number };
}

/** Counts of one problem code with its first examples. */
class ProblemCounter {
  private readonly tallies = new Map<string, ProblemTally>();

  add(code: string, packetNumber: number | null, fileOffset: number, message: string): void {
    let tally = this.tallies.get(code);
    if (tally === undefined) {
      tally = { code, count: 0, examples: [] };
      this.tallies.set(code, tally);
    }
    tally.count++;
    if (tally.examples.length < MAX_PROBLEM_EXAMPLES) tally.examples.push({ packetNumber, fileOffset, message });
  }

  toArray(): ProblemTally[] {
    return [...this.tallies.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  }
}

/**
 * Read a capture file, decode every packet and turn it into flows.
 *
 * Returns the capture summary, and flows go to `options.onFlows`. Throws
 * CaptureFileError when the file cannot be read at all (not found, not a
 * capture, ...). Problems inside a readable file are counted in the summary.
 */
export async function analyzeCapture(path: string, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const logger = getLogger('engine.analyze');
  const decoded = createDecodedPacket();
  const fileProblems = new ProblemCounter();
  const decodeProblems = new ProblemCounter();
  const linkTypeCounts = new Map<number, number>();
  let runLinkType = -1;
  let runLength = 0;
  let pendingFlows: FlowRecord[] = [];
  let flowCount = 0;
  let packets = 0;
  let capturedBytes = 0;
  let wireBytes = 0;
  let firstUs: number | null = null;
  let lastUs: number | null = null;
  let currentPacketNumber = 0;
  let currentFileOffset = 0;

  const emitPending = (): void => {
    if (pendingFlows.length === 0) return;
    const batch = pendingFlows;
    pendingFlows = [];
    options.onFlows?.(batch);
  };

  const onDecodedPacket = options.onDecodedPacket;
  const analyzer = combineFlowAnalyzers(
    options.analyzers === undefined
      ? []
      : Array.isArray(options.analyzers)
        ? options.analyzers
        : [options.analyzers as FlowAnalyzer],
  );
  const flowTable = new FlowTable({
    timeouts: options.flowTimeouts,
    onFlowPacket: analyzer.onFlowPacket?.bind(analyzer),
    onFlowEnd: analyzer.onFlowEnd?.bind(analyzer),
    onFlow(flow) {
      flowCount++;
      pendingFlows.push(flow);
      if (pendingFlows.length >= FLOW_BATCH_SIZE) emitPending();
    },
    onProblem(code, layerIndex, heldFragments) {
      if (heldFragments === undefined) {
        decodeProblems.add(
          code,
          currentPacketNumber,
          currentFileOffset,
          `network layer ${layerIndex}: ${describeFlowProblem(code)}`,
        );
        return;
      }
      const message = `${heldFragments.packets} fragment(s) of one datagram: ${describeFlowProblem(code)}`;
      for (let i = 0; i < heldFragments.packets; i++) {
        decodeProblems.add(code, heldFragments.packetNumber, heldFragments.fileOffset, message);
      }
    },
  });

  logger.info({ path }, 'analysis started');
  const result = await readCaptureFile(
    path,
    {
      onPacket(record) {
        packets++;
        capturedBytes += record.capturedLength;
        wireBytes += record.originalLength;
        if (firstUs === null || record.timestampUs < firstUs) firstUs = record.timestampUs;
        if (lastUs === null || record.timestampUs > lastUs) lastUs = record.timestampUs;
        // Packets of one link type come in runs, so the map is touched only when the type changes.
        if (record.linkType === runLinkType) {
          runLength++;
        } else {
          if (runLength > 0) linkTypeCounts.set(runLinkType, (linkTypeCounts.get(runLinkType) ?? 0) + runLength);
          runLinkType = record.linkType;
          runLength = 1;
        }
        currentPacketNumber = record.packetNumber;
        currentFileOffset = record.fileOffset;

        decodePacket(record.data, record.linkType, decoded);
        if (decoded.problem !== null) {
          decodeProblems.add(
            decoded.problem,
            record.packetNumber,
            record.fileOffset,
            `stopped at packet byte ${decoded.problemOffset}`,
          );
        }
        onDecodedPacket?.(decoded, record);
        flowTable.addPacket(decoded, record.data, record.timestampUs, record.packetNumber, record.fileOffset);
      },
      onWarning(warning) {
        fileProblems.add(warning.code, warning.packetNumber, warning.fileOffset, warning.message);
      },
    },
    {
      signal: options.signal,
      onProgress(progress) {
        emitPending();
        options.onProgress?.({ ...progress, flows: flowCount + flowTable.activeFlowCount });
      },
    },
  );

  flowTable.flush();
  analyzer.onCaptureEnd?.();
  emitPending();

  if (runLength > 0) linkTypeCounts.set(runLinkType, (linkTypeCounts.get(runLinkType) ?? 0) + runLength);
  const linkTypes: LinkTypeCount[] = [...linkTypeCounts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([linkType, count]) => ({ linkType, name: getLinkTypeName(linkType), packets: count }));

  const summary: CaptureSummary = {
    path,
    format: result.format,
    isCompressed: result.isCompressed,
    fileBytes: result.fileBytes,
    packets,
    capturedBytes,
    wireBytes,
    flows: flowCount,
    firstUs,
    lastUs,
    linkTypes,
    fileProblems: fileProblems.toArray(),
    decodeProblems: decodeProblems.toArray(),
    isCancelled: result.isCancelled,
  };
  logger.info({ packets, flows: flowCount, isCancelled: result.isCancelled }, 'analysis finished');
  return {
    summary,
    flowTableStats: { peakActiveFlows: flowTable.peakActiveFlowCount, createdFlows: flowTable.createdFlowCount },
  };
}

function describeFlowProblem(code: string): string {
  if (code === 'fragment-without-first') return 'IP fragment whose first fragment never came, so it is counted in an IP-level flow without ports';
  return 'transport header missing or invalid, so the packet is counted in an IP-level flow without ports';
}
