/**
 * The application-layer analyzers as one FlowAnalyzer. It identifies each
 * flow's service from its first payload bytes and reassembles TCP streams
 * for the stream analyzers (HTTP, DNS over TCP, TLS, SSH, SMB). It also runs
 * the datagram analyzers (DNS, mDNS, LLMNR, NetBIOS, DHCP, QUIC) and the
 * ICMP summary, and hands records to sinks as they complete.
 *
 * Per-flow state lives in the flow handle's `analyzerState` slot and is
 * released in `onFlowEnd`. Nothing here throws on malformed input: parsers
 * return problems, which become weird.log records.
 */
import type { ConnectionEndpoints, DhcpRecord, DnsRecord, HttpRecord, WeirdRecord } from '../../../shared/domain/records';
import type { FlowRecord } from '../../../shared/domain/flow';
import type { FlowAnalyzer, FlowHandle, FlowPacketEvent } from '../flows/flow-hooks';
import type { AnalyzerContext, DhcpMessageEvent } from './analyzer-context';
import { DhcpAggregator } from './dhcp-aggregator';
import { parseDhcpMessage } from './dhcp-message';
import { DnsFlowAnalyzer } from './dns-analyzer';
import { HttpFlowAnalyzer } from './http-analyzer';
import { IcmpFlowAnalyzer } from './icmp-analyzer';
import { EXPECTED_SERVICE_PORTS, type ServiceName, identifyTcpService, identifyUdpService, isExpectedServicePort } from './service-identification';
import { DEFAULT_MAX_BUFFERED_BYTES, TcpReassembler, type StreamConsumer } from './tcp-reassembler';
import { CertificateLog, getConnectionIdentity, QuicSessionParser, StreamSessionParser, type SessionLogSinks } from './session-parsers';
import { SocksHandshake } from './socks-handshake';
import { UdpFragmentReassembler } from './udp-fragment-reassembler';

/** Payload chunks per direction tried for identification before giving up on that direction. */
const MAX_IDENTIFY_ATTEMPTS = 4;
/**
 * Unidentified stream bytes kept per flow, replayed when the other side
 * identifies the service (a request line longer than one segment, a server
 * that speaks first). Bytes past it are not analyzed.
 */
const MAX_HELD_BYTES = 16 * 1024;

interface HeldChunk {
  data: Uint8Array;
  isFromOriginator: boolean;
  packetNumber: number;
  timestampUs: number;
}

export interface ApplicationAnalyzerSinks extends SessionLogSinks {
  onDns?(record: DnsRecord): void;
  onHttp?(record: HttpRecord): void;
  onDhcp?(record: DhcpRecord): void;
  onWeird?(record: WeirdRecord): void;
}

export interface ApplicationAnalyzerOptions {
  /** Out-of-order bytes buffered per TCP direction; more are counted and dropped. */
  maxBufferedBytesPerDirection?: number;
  /** Flows per DHCP record before it is written early (Zeek's DHCP::max_uids_per_log_entry, 10). */
  maxDhcpUidsPerRecord?: number;
  /** Compression pointers followed per DNS name (Zeek's dns_max_compression_chain_depth, 20). */
  maxDnsCompressionHops?: number;
}

/** Flow facts added to the FlowRecord by `annotateFlowRecord`. */
export type FlowAnnotations = Pick<FlowRecord, 'isServiceOnUnusualPort' | 'expectedPorts' | 'icmp'>;

/** State of one flow. */
class FlowAnalysis implements AnalyzerContext {
  readonly flowUid: string;
  readonly flowEndpoints: ConnectionEndpoints;
  /** Service whose analyzer gets the stream: the tunnelled one after a SOCKS handshake. */
  service: ServiceName | null = null;
  outerService: ServiceName | null = null;
  socks: SocksHandshake | null = null;
  identifyAttempts: [number, number] = [0, 0];
  streams: [TcpReassembler, TcpReassembler] | null = null;
  dns: DnsFlowAnalyzer | null = null;
  http: HttpFlowAnalyzer | null = null;
  icmp: IcmpFlowAnalyzer | null = null;
  fragments: UdpFragmentReassembler | null = null;
  /** TLS, SSH or SMB parser of a TCP flow; QUIC parser of a UDP flow. */
  session: StreamSessionParser | null = null;
  quic: QuicSessionParser | null = null;
  private readonly weirdNames = new Set<string>();
  /** Stream bytes seen before the service was identified, copied, within MAX_HELD_BYTES. */
  private heldChunks: HeldChunk[] = [];
  private heldBytes = 0;

  constructor(
    private readonly owner: ApplicationAnalyzers,
    readonly flow: FlowHandle,
  ) {
    this.flowUid = flow.uid;
    this.flowEndpoints = {
      originatorAddress: flow.originatorAddressText,
      originatorPort: flow.originatorPort,
      responderAddress: flow.responderAddressText,
      responderPort: flow.responderPort,
    };
  }

  /** Keep a copy of unidentified stream bytes (borrowed) to replay once the other side identifies the service. */
  holdUnidentified(data: Uint8Array, isFromOriginator: boolean, packetNumber: number, timestampUs: number): void {
    if (this.heldBytes + data.length > MAX_HELD_BYTES) return;
    this.heldChunks.push({ data: data.slice(), isFromOriginator, packetNumber, timestampUs });
    this.heldBytes += data.length;
  }

  /** Return the held chunks, the originator's first, each side in arrival order, and empty the list. */
  takeHeldChunks(): HeldChunk[] {
    if (this.heldChunks.length === 0) return this.heldChunks;
    const chunks = [...this.heldChunks.filter((chunk) => chunk.isFromOriginator), ...this.heldChunks.filter((chunk) => !chunk.isFromOriginator)];
    this.heldChunks = [];
    this.heldBytes = 0;
    return chunks;
  }

  emitDns(record: DnsRecord): void {
    this.owner.sinks.onDns?.(record);
  }

  emitHttp(record: HttpRecord): void {
    this.owner.sinks.onHttp?.(record);
  }

  emitDhcpMessage(message: DhcpMessageEvent): void {
    this.owner.dhcp.add(message);
  }

  emitWeird(name: string, additional: string | null, source: string, packetNumber: number, timestampUs: number): void {
    if (this.weirdNames.has(name)) return;
    this.weirdNames.add(name);
    this.owner.sinks.onWeird?.({ timestampUs, uid: this.flowUid, endpoints: this.flowEndpoints, name, additional, source, packetNumber });
  }
}

/** Routes one direction's reassembled bytes to identification, then to the stream analyzer. */
class DirectionConsumer implements StreamConsumer {
  constructor(
    private readonly owner: ApplicationAnalyzers,
    private readonly analysis: FlowAnalysis,
    private readonly isFromOriginator: boolean,
  ) {}

  deliver(data: Uint8Array, packetNumber: number, timestampUs: number): void {
    this.owner.handleStreamData(this.analysis, this.isFromOriginator, data, packetNumber, timestampUs);
  }

  gap(length: number): void {
    this.analysis.http?.handleGap(this.isFromOriginator, length);
    this.analysis.dns?.handleGap(this.isFromOriginator);
  }
}

export class ApplicationAnalyzers implements FlowAnalyzer {
  readonly dhcp: DhcpAggregator;
  private readonly certificates: CertificateLog;
  private readonly annotations = new Map<string, FlowAnnotations>();
  private readonly maxBufferedBytes: number;
  readonly maxDnsCompressionHops: number | undefined;

  constructor(
    readonly sinks: ApplicationAnalyzerSinks,
    options: ApplicationAnalyzerOptions = {},
  ) {
    this.dhcp = new DhcpAggregator((record) => sinks.onDhcp?.(record), options.maxDhcpUidsPerRecord);
    this.certificates = new CertificateLog(sinks);
    this.maxBufferedBytes = options.maxBufferedBytesPerDirection ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.maxDnsCompressionHops = options.maxDnsCompressionHops;
  }

  onFlowPacket(event: FlowPacketEvent): void {
    const flow = event.flow;
    let analysis = flow.analyzerState as FlowAnalysis | undefined;
    if (analysis === undefined) {
      analysis = new FlowAnalysis(this, flow);
      flow.analyzerState = analysis;
    }
    // Both directions of a TCP flow stopped: nothing here reads this flow any more. Checked before
    // the payload view is made, since most packets of a long transfer end here.
    if (flow.transport === 'tcp' && analysis.streams !== null && analysis.streams[0].isStopped && analysis.streams[1].isStopped) return;
    const layer = event.layer;
    // A fragment after the first has no transport header, so its payload fields are not set.
    const hasPayload = !layer.isFragment || layer.fragmentOffset === 0;
    const payload = hasPayload ? event.data.subarray(layer.payloadOffset, layer.payloadOffset + layer.payloadLength) : event.data.subarray(0, 0);

    switch (flow.transport) {
      case 'tcp':
        // NOTE: TCP carried in IP fragments is not reassembled; later fragments are skipped.
        if (hasPayload) this.handleTcpSegment(analysis, event, payload);
        break;
      case 'udp':
        this.handleDatagram(analysis, event, payload);
        break;
      case 'icmp':
        if (hasPayload) this.handleIcmp(analysis, event);
        break;
      default:
        break;
    }
  }

  onFlowEnd(flow: FlowHandle): void {
    const analysis = flow.analyzerState as FlowAnalysis | undefined;
    if (analysis === undefined) return;
    if (analysis.streams !== null) {
      analysis.streams[0].finish();
      analysis.streams[1].finish();
    }
    analysis.http?.finish();
    analysis.dns?.finish();
    analysis.session?.finish(getConnectionIdentity(flow), this.sinks, this.certificates);
    analysis.quic?.finish(getConnectionIdentity(flow), this.sinks);
    this.recordAnnotations(analysis);
    flow.analyzerState = undefined;
  }

  onCaptureEnd(): void {
    this.dhcp.flush();
  }

  /**
   * Copy this analyzer's flow facts onto a FlowRecord leaving the table
   * (service on an unusual port, ICMP summary) and forget them.
   */
  annotateFlowRecord(record: FlowRecord): void {
    const annotations = this.annotations.get(record.uid);
    if (annotations === undefined) return;
    this.annotations.delete(record.uid);
    Object.assign(record, annotations);
  }

  /** Route in-order stream bytes (borrowed) of one direction. */
  handleStreamData(analysis: FlowAnalysis, isFromOriginator: boolean, data: Uint8Array, packetNumber: number, timestampUs: number): void {
    let bytes = data;
    if (analysis.socks !== null && !analysis.socks.isDone(isFromOriginator)) {
      const used = analysis.socks.consume(bytes, isFromOriginator);
      if (analysis.socks.hasFailed()) {
        analysis.socks = null;
        analysis.streams?.forEach((stream) => stream.stop());
        return;
      }
      bytes = bytes.subarray(used);
      if (bytes.length === 0) return;
    }

    if (analysis.service === null) {
      const side = isFromOriginator ? 0 : 1;
      if (analysis.identifyAttempts[side] >= MAX_IDENTIFY_ATTEMPTS) {
        // This side gave up: stop reassembling it, so its later segments cost nothing.
        analysis.streams?.[side].stop();
        return;
      }
      analysis.identifyAttempts[side]++;
      const service = identifyTcpService(bytes, isFromOriginator);
      if (service === null) {
        analysis.holdUnidentified(bytes, isFromOriginator, packetNumber, timestampUs);
        if (analysis.identifyAttempts[side] >= MAX_IDENTIFY_ATTEMPTS) analysis.streams?.[side].stop();
        return;
      }
      this.setService(analysis, service);
      if (service === 'socks' && analysis.socks === null) {
        // Identify the tunnelled protocol after the handshake, as a second service ("socks,http").
        analysis.socks = new SocksHandshake();
        analysis.service = null;
        analysis.identifyAttempts = [0, 0];
        this.handleStreamData(analysis, isFromOriginator, bytes, packetNumber, timestampUs);
        return;
      }
      if (service === 'http') analysis.http = new HttpFlowAnalyzer(analysis);
      else if (service === 'dns') analysis.dns = new DnsFlowAnalyzer(analysis, 'tcp', 'dns', this.maxDnsCompressionHops);
      else if (service === 'ssl' || service === 'ssh' || service === 'smb') analysis.session = new StreamSessionParser(service === 'ssl' ? 'tls' : service);
      else {
        // No analyzer reads this protocol's stream: stop reassembling it.
        analysis.streams?.forEach((stream) => stream.stop());
        return;
      }
    }
    // Bytes that came before the service was known (the other side spoke first) go in first.
    for (const held of analysis.takeHeldChunks()) this.deliverToAnalyzer(analysis, held.isFromOriginator, held.data, held.packetNumber, held.timestampUs);
    this.deliverToAnalyzer(analysis, isFromOriginator, bytes, packetNumber, timestampUs);
  }

  private deliverToAnalyzer(analysis: FlowAnalysis, isFromOriginator: boolean, bytes: Uint8Array, packetNumber: number, timestampUs: number): void {
    if (analysis.http !== null) analysis.http.handleStream(bytes, isFromOriginator, packetNumber, timestampUs);
    else if (analysis.dns !== null) analysis.dns.handleStream(bytes, isFromOriginator, packetNumber, timestampUs);
    else if (analysis.session !== null && !analysis.session.push(isFromOriginator, bytes, packetNumber, timestampUs)) analysis.streams?.[isFromOriginator ? 0 : 1].stop();
  }

  private handleTcpSegment(analysis: FlowAnalysis, event: FlowPacketEvent, payload: Uint8Array): void {
    if (analysis.streams === null) {
      analysis.streams = [
        new TcpReassembler(new DirectionConsumer(this, analysis, true), this.maxBufferedBytes),
        new TcpReassembler(new DirectionConsumer(this, analysis, false), this.maxBufferedBytes),
      ];
    }
    const layer = event.layer;
    const stream = analysis.streams[event.isFromOriginator ? 0 : 1];
    const isSyn = (layer.tcpFlags & 0x02) !== 0;
    if ((layer.tcpFlags & 0x10) !== 0) analysis.streams[event.isFromOriginator ? 1 : 0].addPeerAcknowledgement(layer.tcpAcknowledgement);
    if (isSyn) stream.addSyn(layer.tcpSequence);
    if (payload.length > 0) {
      const sequence = isSyn ? (layer.tcpSequence + 1) >>> 0 : layer.tcpSequence;
      stream.addSegment(sequence, payload, event.packetNumber, event.timestampUs);
    }
    if ((layer.tcpFlags & 0x05) !== 0) stream.finish();
  }

  private handleDatagram(analysis: FlowAnalysis, event: FlowPacketEvent, packetPayload: Uint8Array): void {
    let payload = packetPayload;
    if (event.layer.isFragment) {
      analysis.fragments ??= new UdpFragmentReassembler();
      const whole = analysis.fragments.addFragment(event.layer, event.data);
      if (whole === null) return;
      payload = whole;
    }
    if (payload.length === 0) return;
    const flow = analysis.flow;
    if (analysis.service === null) {
      const side = event.isFromOriginator ? 0 : 1;
      if (analysis.identifyAttempts[side] >= MAX_IDENTIFY_ATTEMPTS) return;
      analysis.identifyAttempts[side]++;
      const service = identifyUdpService(payload);
      if (service === null) return;
      this.setService(analysis, service);
      if (service === 'dns') {
        const variant = getDnsVariant(flow.originatorPort, flow.responderPort);
        analysis.dns = new DnsFlowAnalyzer(analysis, 'udp', variant, this.maxDnsCompressionHops);
      }
      if (service === 'quic') analysis.quic = new QuicSessionParser();
    }
    if (analysis.quic !== null) {
      analysis.quic.push(event.isFromOriginator, payload);
      return;
    }
    if (analysis.dns !== null) {
      analysis.dns.handleMessage(payload, event.packetNumber, event.timestampUs);
      return;
    }
    if (analysis.service === 'dhcp') {
      const result = parseDhcpMessage(payload);
      if (result.problem !== null) analysis.emitWeird(result.problem, null, 'DHCP', event.packetNumber, event.timestampUs);
      if (result.message === null) return;
      analysis.emitDhcpMessage({
        timestampUs: event.timestampUs,
        uid: flow.uid,
        endpoints: analysis.flowEndpoints,
        isFromOriginator: event.isFromOriginator,
        message: result.message,
      });
    }
  }

  private handleIcmp(analysis: FlowAnalysis, event: FlowPacketEvent): void {
    const layer = event.layer;
    const isIpv6 = layer.ipVersion === 6;
    if (analysis.icmp === null) analysis.icmp = new IcmpFlowAnalyzer(analysis.flowUid, isIpv6, layer.icmpType, layer.icmpCode);
    // The decoder's ICMP payload starts after the 8-byte header.
    analysis.icmp.addMessage(layer.icmpType, event.data.subarray(layer.payloadOffset, layer.payloadOffset + layer.payloadLength));
  }

  private setService(analysis: FlowAnalysis, service: ServiceName): void {
    analysis.service = service;
    analysis.outerService ??= service;
    analysis.flow.setService(service);
  }

  private recordAnnotations(analysis: FlowAnalysis): void {
    const annotations: FlowAnnotations = {};
    // The port check uses the first service found (socks, for HTTP through a SOCKS proxy).
    const service = analysis.outerService;
    if (service !== null) {
      const flow = analysis.flow;
      const isExpected = isExpectedServicePort(service, flow.responderPort) || isExpectedServicePort(service, flow.originatorPort);
      annotations.isServiceOnUnusualPort = !isExpected;
      if (!isExpected) annotations.expectedPorts = [...EXPECTED_SERVICE_PORTS[service]];
    }
    if (analysis.icmp !== null) annotations.icmp = analysis.icmp.summary;
    if (Object.keys(annotations).length > 0) this.annotations.set(analysis.flowUid, annotations);
  }
}

function getDnsVariant(originatorPort: number, responderPort: number): DnsRecord['variant'] {
  if (originatorPort === 5353 || responderPort === 5353) return 'mdns';
  if (originatorPort === 5355 || responderPort === 5355) return 'llmnr';
  if (responderPort === 137) return 'nbns';
  return 'dns';
}
