/**
 * Streaming generator of a pcap capture with a steady flow rate. Sessions
 * start one millisecond apart of capture time. Each one is a DNS lookup
 * (query and answer) followed by a short TCP connection (handshake, request,
 * response, FIN both ways). Every session uses new ports, so each one makes
 * two flows, and the capture grows in time span, not in concurrency: the
 * flows active at once stay near (rate x timeouts) however large the file is.
 *
 * Used by scripts/measure-memory.ts and by the flow-table memory test.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const ETHERNET_HEADER = 14;
const IPV4_HEADER = 20;
const TCP_HEADER = 20;
const UDP_HEADER = 8;
const PCAP_RECORD_HEADER = 16;
const FIRST_TIMESTAMP_US = 1_709_542_800_000_000;
/** Buffered bytes per write to the file. */
const WRITE_CHUNK_BYTES = 1 << 20;

export interface SteadyCaptureOptions {
  /** Stop after the session that passes this file size. */
  targetBytes: number;
  /** Capture time between session starts, microseconds. */
  sessionIntervalUs?: number;
  /** Response payload bytes of each TCP connection. */
  responseBytes?: number;
}

export interface SteadyCaptureSummary {
  sessions: number;
  packets: number;
  fileBytes: number;
  /** Flows the capture contains: two per session (DNS and TCP). */
  flows: number;
  firstTimestampUs: number;
  lastTimestampUs: number;
}

/** Write the capture to `path` and return what it contains. */
export function writeSteadyCapture(path: string, options: SteadyCaptureOptions): SteadyCaptureSummary {
  const interval = options.sessionIntervalUs ?? 1000;
  const responseBytes = options.responseBytes ?? 1000;
  const descriptor = openSync(path, 'w');
  const buffer = Buffer.alloc(WRITE_CHUNK_BYTES + 4096);
  let used = 0;
  let fileBytes = 0;
  let packets = 0;
  let lastTimestampUs = FIRST_TIMESTAMP_US;

  const flush = (): void => {
    writeSync(descriptor, buffer, 0, used);
    fileBytes += used;
    used = 0;
  };

  // pcap file header: microsecond magic, version 2.4, snaplen 65535, Ethernet.
  buffer.writeUInt32LE(0xa1b2c3d4, 0);
  buffer.writeUInt16LE(2, 4);
  buffer.writeUInt16LE(4, 6);
  buffer.writeUInt32LE(65535, 16);
  buffer.writeUInt32LE(1, 20);
  used = 24;

  /** Append one Ethernet/IPv4 frame; returns the offset of the transport header. */
  const beginFrame = (
    timestampUs: number,
    protocol: number,
    source: number,
    destination: number,
    transportLength: number,
  ): number => {
    const frameLength = ETHERNET_HEADER + IPV4_HEADER + transportLength;
    if (used + PCAP_RECORD_HEADER + frameLength > buffer.length) flush();
    const seconds = Math.floor(timestampUs / 1e6);
    buffer.writeUInt32LE(seconds, used);
    buffer.writeUInt32LE(timestampUs - seconds * 1e6, used + 4);
    buffer.writeUInt32LE(frameLength, used + 8);
    buffer.writeUInt32LE(frameLength, used + 12);
    const frame = used + PCAP_RECORD_HEADER;
    buffer.fill(0, frame, frame + frameLength);
    buffer.writeUInt16BE(0x0800, frame + 12); // EtherType IPv4
    const ip = frame + ETHERNET_HEADER;
    buffer[ip] = 0x45; // version 4, header length 20
    buffer.writeUInt16BE(IPV4_HEADER + transportLength, ip + 2); // total length
    buffer[ip + 8] = 64; // TTL
    buffer[ip + 9] = protocol;
    buffer.writeUInt32BE(source >>> 0, ip + 12);
    buffer.writeUInt32BE(destination >>> 0, ip + 16);
    used = frame + frameLength;
    packets++;
    lastTimestampUs = timestampUs;
    return ip + IPV4_HEADER;
  };

  const udp = (
    timestampUs: number,
    source: number,
    sourcePort: number,
    destination: number,
    destinationPort: number,
    payload: number,
  ): void => {
    const at = beginFrame(timestampUs, 17, source, destination, UDP_HEADER + payload);
    buffer.writeUInt16BE(sourcePort, at);
    buffer.writeUInt16BE(destinationPort, at + 2);
    buffer.writeUInt16BE(UDP_HEADER + payload, at + 4);
  };

  const tcp = (
    timestampUs: number,
    source: number,
    sourcePort: number,
    destination: number,
    destinationPort: number,
    flags: number,
    sequence: number,
    acknowledgement: number,
    payload: number,
  ): void => {
    const at = beginFrame(timestampUs, 6, source, destination, TCP_HEADER + payload);
    buffer.writeUInt16BE(sourcePort, at);
    buffer.writeUInt16BE(destinationPort, at + 2);
    buffer.writeUInt32BE(sequence >>> 0, at + 4);
    buffer.writeUInt32BE(acknowledgement >>> 0, at + 8);
    buffer[at + 12] = 0x50; // data offset 5
    buffer[at + 13] = flags;
    buffer.writeUInt16BE(65535, at + 14); // window
  };

  const SYN = 0x02;
  const ACK = 0x10;
  const FIN = 0x01;
  const PSH = 0x08;
  const resolver = 0x0a000001; // 10.0.0.1
  let sessions = 0;
  while (fileBytes + used < options.targetBytes) {
    const start = FIRST_TIMESTAMP_US + sessions * interval;
    const client = 0x0a100000 + (sessions % 60_000); // 10.16.0.0/16
    const server = 0xc6336400 + (sessions % 200); // 198.51.100.0/24
    const clientPort = 1024 + ((sessions * 7) % 64_000);
    const step = Math.max(1, Math.floor(interval / 12));
    let t = start;
    udp(t, client, clientPort, resolver, 53, 40);
    udp((t += step), resolver, 53, client, clientPort, 80);

    const isn = (sessions * 2_654_435_761) >>> 0;
    const serverIsn = (isn ^ 0x5bd1e995) >>> 0;
    const port = clientPort + 1;
    tcp((t += step), client, port, server, 80, SYN, isn, 0, 0);
    tcp((t += step), server, 80, client, port, SYN | ACK, serverIsn, isn + 1, 0);
    tcp((t += step), client, port, server, 80, ACK, isn + 1, serverIsn + 1, 0);
    tcp((t += step), client, port, server, 80, PSH | ACK, isn + 1, serverIsn + 1, 200);
    tcp((t += step), server, 80, client, port, PSH | ACK, serverIsn + 1, isn + 201, responseBytes);
    tcp((t += step), client, port, server, 80, FIN | ACK, isn + 201, serverIsn + 1 + responseBytes, 0);
    tcp((t += step), server, 80, client, port, FIN | ACK, serverIsn + 1 + responseBytes, isn + 202, 0);
    tcp((t += step), client, port, server, 80, ACK, isn + 202, serverIsn + 2 + responseBytes, 0);
    sessions++;
  }
  flush();
  closeSync(descriptor);
  return { sessions, packets, fileBytes, flows: sessions * 2, firstTimestampUs: FIRST_TIMESTAMP_US, lastTimestampUs };
}
