/**
 * The per-packet ingest of analyzeCapture (decode, flow table, problem
 * tallies, summary counts) for packets that come from a live capture rather
 * than a file.
 *
 * NOTE: this repeats the packet loop of engine/analyze-capture.ts because
 * that function owns its reader and exposes no per-packet entry. Moving the
 * loop into an engine class fed by either source would let both share it.
 */
import type { CaptureSummary, LinkTypeCount, ProblemTally } from '../../shared/domain/capture-summary';
import type { FlowRecord } from '../../shared/domain/flow';
import { createDecodedPacket, type DecodedPacket } from '../engine/decode/decoded-packet';
import { getLinkTypeName } from '../engine/decode/link-types';
import { decodePacket } from '../engine/decode/packet-decoder';
import { type FlowAnalyzer, combineFlowAnalyzers } from '../engine/flows/flow-hooks';
import { FlowTable } from '../engine/flows/flow-table';
import type { FlowTimeouts } from '../engine/flows/flow-timeouts';
import type { PacketRecord } from '../engine/source/packet-record';

const MAX_PROBLEM_EXAMPLES = 5;
const FLOW_BATCH_SIZE = 512;

export interface LiveFlowPipelineOptions {
  /** Receives finished flows in batches, and the rest at `finish`. */
  onFlows(flows: FlowRecord[]): void;
  flowTimeouts?: Partial<FlowTimeouts>;
  /** Application analyzers (DNS, HTTP, ...), called as analyzeCapture calls them. */
  analyzers?: readonly FlowAnalyzer[];
  /** Every decoded packet before it joins a flow, as analyzeCapture's hook of the same name (link-layer detectors). */
  onDecodedPacket?(decoded: DecodedPacket, record: PacketRecord): void;
}

export class LiveFlowPipeline {
  /** The decoded form of the packet last given to `decode`; reused for every packet. */
  readonly decoded: DecodedPacket = createDecodedPacket();
  private readonly options: LiveFlowPipelineOptions;
  private readonly flowTable: FlowTable;
  private readonly analyzer: FlowAnalyzer;
  private readonly problems = new Map<string, ProblemTally>();
  private readonly linkTypeCounts = new Map<number, number>();
  private pendingFlows: FlowRecord[] = [];
  private flowCount = 0;
  private packets = 0;
  private capturedBytes = 0;
  private wireBytes = 0;
  private firstUs: number | null = null;
  private lastUs: number | null = null;
  private currentPacketNumber = 0;
  private currentFileOffset = 0;

  constructor(options: LiveFlowPipelineOptions) {
    this.options = options;
    const analyzer = combineFlowAnalyzers(options.analyzers ?? []);
    this.analyzer = analyzer;
    this.flowTable = new FlowTable({
      timeouts: options.flowTimeouts,
      onFlowPacket: analyzer.onFlowPacket?.bind(analyzer),
      onFlowEnd: analyzer.onFlowEnd?.bind(analyzer),
      onFlow: (flow) => {
        this.flowCount++;
        this.pendingFlows.push(flow);
        if (this.pendingFlows.length >= FLOW_BATCH_SIZE) this.emitFlows();
      },
      onProblem: (code, layerIndex) => {
        this.addProblem(code, this.currentPacketNumber, `network layer ${layerIndex}: ${code}`);
      },
    });
  }

  /** Flows created so far, active ones included. */
  get flows(): number {
    return this.flowCount + this.flowTable.activeFlowCount;
  }

  /** Decode `record.data` into `this.decoded` (the session decodes once, to cut headers and to count). */
  decode(record: PacketRecord): void {
    decodePacket(record.data, record.linkType, this.decoded);
  }

  /**
   * Count a packet already decoded by `decode`. `record.fileOffset` is the
   * packet's block in the pcapng file being written.
   */
  addDecodedPacket(record: PacketRecord): void {
    this.packets++;
    this.capturedBytes += record.capturedLength;
    this.wireBytes += record.originalLength;
    if (this.firstUs === null || record.timestampUs < this.firstUs) this.firstUs = record.timestampUs;
    if (this.lastUs === null || record.timestampUs > this.lastUs) this.lastUs = record.timestampUs;
    this.linkTypeCounts.set(record.linkType, (this.linkTypeCounts.get(record.linkType) ?? 0) + 1);
    this.currentPacketNumber = record.packetNumber;
    this.currentFileOffset = record.fileOffset;

    const decoded = this.decoded;
    if (decoded.problem !== null)
      this.addProblem(decoded.problem, record.packetNumber, `stopped at packet byte ${decoded.problemOffset}`);
    this.options.onDecodedPacket?.(decoded, record);
    this.flowTable.addPacket(decoded, record.data, record.timestampUs, record.packetNumber, record.fileOffset);
  }

  /** Hand over the finished flows collected since the last call. */
  emitFlows(): void {
    if (this.pendingFlows.length === 0) return;
    const batch = this.pendingFlows;
    this.pendingFlows = [];
    this.options.onFlows(batch);
  }

  /** Flush the flow table (remaining flows leave as not finished) and return the summary. */
  finish(path: string, fileBytes: number, isCancelled: boolean): CaptureSummary {
    this.flowTable.flush();
    this.analyzer.onCaptureEnd?.();
    this.emitFlows();
    const linkTypes: LinkTypeCount[] = [...this.linkTypeCounts.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([linkType, count]) => ({ linkType, name: getLinkTypeName(linkType), packets: count }));
    return {
      path,
      format: 'pcapng',
      isCompressed: false,
      fileBytes,
      packets: this.packets,
      capturedBytes: this.capturedBytes,
      wireBytes: this.wireBytes,
      flows: this.flowCount,
      firstUs: this.firstUs,
      lastUs: this.lastUs,
      linkTypes,
      fileProblems: [],
      decodeProblems: [...this.problems.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
      isCancelled,
    };
  }

  private addProblem(code: string, packetNumber: number, message: string): void {
    let tally = this.problems.get(code);
    if (tally === undefined) {
      tally = { code, count: 0, examples: [] };
      this.problems.set(code, tally);
    }
    tally.count++;
    if (tally.examples.length < MAX_PROBLEM_EXAMPLES) tally.examples.push({ packetNumber, fileOffset: this.currentFileOffset, message });
  }
}
