/**
 * Turns the DNS messages of one flow into dns.log records. Queries and
 * responses are paired by transaction id in order, as Zeek's
 * base/protocols/dns scripts do. A pair is written when its second half
 * arrives, and queries or responses still unmatched when the flow ends.
 */
import type { DnsRecord } from '../../../shared/domain/records';
import { DnsSection, MAX_COMPRESSION_HOPS, type DnsMessage, type DnsProblem, decodeNetbiosName, parseDnsMessage } from './dns-message';
import type { AnalyzerContext } from './analyzer-context';

/** Unmatched messages kept per flow; past it the oldest are written unmatched (Zeek: max_pending_msgs 50). */
const MAX_PENDING_PER_FLOW = 50;

/** Per-flow DNS state. */
export class DnsFlowAnalyzer {
  private pendingQueries: DnsRecord[] = [];
  private pendingReplies: DnsRecord[] = [];
  /** TCP: bytes of a length-prefixed message still being collected, per direction. */
  private tcpBuffers: [Uint8Array | null, Uint8Array | null] = [null, null];

  constructor(
    private readonly context: AnalyzerContext,
    private readonly transport: 'udp' | 'tcp',
    private readonly variant: DnsRecord['variant'],
    private readonly maxCompressionHops = MAX_COMPRESSION_HOPS,
  ) {}

  /** Handle one message (UDP payload, or one TCP message without its length prefix). */
  handleMessage(bytes: Uint8Array, packetNumber: number, timestampUs: number): void {
    const result = parseDnsMessage(bytes, this.maxCompressionHops);
    if (result.problem !== null) this.reportProblem(result.problem, result.problemDetail ?? `message byte ${result.problemOffset}`, packetNumber, timestampUs);
    const message = result.message;
    if (message === null || message.opcode !== 0) return;
    if (message.isResponse) this.handleReply(message, packetNumber, timestampUs);
    else this.handleQuery(message, packetNumber, timestampUs);
  }

  /**
   * Handle in-order TCP stream bytes (borrowed): DNS over TCP prefixes each
   * message with a 2-byte length (RFC 1035 section 4.2.2).
   */
  handleStream(data: Uint8Array, isFromOriginator: boolean, packetNumber: number, timestampUs: number): void {
    const side = isFromOriginator ? 0 : 1;
    const held = this.tcpBuffers[side];
    let bytes = data;
    if (held !== null) {
      bytes = new Uint8Array(held.length + data.length);
      bytes.set(held, 0);
      bytes.set(data, held.length);
    }
    let offset = 0;
    while (bytes.length - offset >= 2) {
      const length = ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
      if (bytes.length - offset - 2 < length) break;
      this.handleMessage(bytes.subarray(offset + 2, offset + 2 + length), packetNumber, timestampUs);
      offset += 2 + length;
    }
    this.tcpBuffers[side] = offset < bytes.length ? bytes.slice(offset) : null;
  }

  /** Drop the message being collected after a hole in the TCP stream, because it cannot complete. */
  handleGap(isFromOriginator: boolean): void {
    this.tcpBuffers[isFromOriginator ? 0 : 1] = null;
  }

  /** Write every unmatched query and response (the flow ended). */
  finish(): void {
    for (const record of this.pendingQueries) this.context.emitDns(record);
    for (const record of this.pendingReplies) this.context.emitDns(record);
    this.pendingQueries = [];
    this.pendingReplies = [];
    this.tcpBuffers = [null, null];
  }

  private handleQuery(message: DnsMessage, packetNumber: number, timestampUs: number): void {
    const index = this.pendingReplies.findIndex((record) => record.transactionId === message.id);
    let record: DnsRecord;
    if (index >= 0) {
      record = this.pendingReplies[index] as DnsRecord;
      this.pendingReplies.splice(index, 1);
    } else {
      record = this.createRecord(message.id, timestampUs);
    }

    record.queryPacketNumber = packetNumber;
    record.isRecursionDesired = message.isRecursionDesired;
    record.isTruncated = message.isTruncated;
    record.z = message.z;
    const question = message.questions[0];
    if (question !== undefined) {
      record.query = this.variant === 'nbns' ? decodeNetbiosName(question.name) : question.name;
      record.queryClass = question.class;
      record.queryType = question.type;
    }
    if (message.ednsUdpPayloadSize !== null) record.ednsUdpPayloadSize = message.ednsUdpPayloadSize;

    if (index >= 0) {
      this.context.emitDns(record);
      return;
    }
    this.enqueue(this.pendingQueries, record);
  }

  private handleReply(message: DnsMessage, packetNumber: number, timestampUs: number): void {
    const index = this.pendingQueries.findIndex((record) => record.transactionId === message.id);
    const isMatched = index >= 0;
    let record: DnsRecord;
    if (isMatched) {
      record = this.pendingQueries[index] as DnsRecord;
      this.pendingQueries.splice(index, 1);
    } else {
      record = this.createRecord(message.id, timestampUs);
    }

    record.responsePacketNumber = packetNumber;
    record.responseCode = message.responseCode;
    if (message.responseCode !== 0 && message.questionCount === 0) record.isRejected = true;
    if (message.questionCount > 0 && message.answerCount === 0 && message.authorityCount === 0 && message.additionalCount === 0) {
      record.isRejected = true;
    }

    // Zeek takes AA, RA, the round trip and the query name (for a reply
    // without its query) from the answer section only.
    for (const answer of message.records) {
      if (answer.section !== DnsSection.answer) continue;
      if (record.query === null) record.query = answer.name;
      record.isAuthoritative = message.isAuthoritative;
      record.isRecursionAvailable = message.isRecursionAvailable;
      if (record.roundTripUs === null && timestampUs - record.timestampUs > 0) record.roundTripUs = timestampUs - record.timestampUs;
      if (answer.text === '') continue;
      record.answers.push(answer.text);
      record.answerTtlsSeconds.push(answer.ttlSeconds);
    }

    if (isMatched) {
      this.context.emitDns(record);
      return;
    }
    this.enqueue(this.pendingReplies, record);
  }

  private enqueue(queue: DnsRecord[], record: DnsRecord): void {
    if (queue.length >= MAX_PENDING_PER_FLOW) {
      for (const old of queue) this.context.emitDns(old);
      queue.length = 0;
    }
    queue.push(record);
  }

  private createRecord(transactionId: number, timestampUs: number): DnsRecord {
    const endpoints = this.context.flowEndpoints;
    return {
      timestampUs,
      uid: this.context.flowUid,
      ...endpoints,
      transport: this.transport,
      variant: this.variant,
      transactionId,
      roundTripUs: null,
      query: null,
      queryClass: null,
      queryType: null,
      responseCode: null,
      opcode: 0,
      isAuthoritative: false,
      isTruncated: false,
      isRecursionDesired: false,
      isRecursionAvailable: false,
      z: 0,
      answers: [],
      answerTtlsSeconds: [],
      isRejected: false,
      queryPacketNumber: null,
      responsePacketNumber: null,
      ednsUdpPayloadSize: null,
    };
  }

  private reportProblem(problem: DnsProblem, detail: string, packetNumber: number, timestampUs: number): void {
    this.context.emitWeird(problem, detail, 'DNS', packetNumber, timestampUs);
  }
}
