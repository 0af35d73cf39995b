/**
 * A small pcap built byte by byte: 10.0.0.5 sends SYNs to 20 ports of
 * 10.0.0.9, each answered by RST-ACK (Zeek state REJ), and 10.0.0.7 has one
 * complete HTTP-like connection to 93.184.216.34:80.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildPcap, type PcapPacket } from '../support/capture-writer';
import { ethernet, ipv4, tcp, type TcpOptions } from '../engine/decode/packet-bytes';

const syn = 0x02;
const synAck = 0x12;
const ack = 0x10;
const pushAck = 0x18;
const finAck = 0x11;
const rstAck = 0x14;

export const scanCaptureFacts = {
  scanner: '10.0.0.5',
  victim: '10.0.0.9',
  scannedPorts: 20,
  client: '10.0.0.7',
  server: '93.184.216.34',
  /** 20 rejected attempts plus one complete connection. */
  flows: 21,
  /** 2 per rejected attempt, 8 for the complete connection. */
  packets: 48,
  startUs: 1_700_000_000_000_000,
} as const;

function frame(source: number[], destination: number[], options: TcpOptions): Uint8Array {
  return Uint8Array.from(ethernet(0x0800, ipv4({ protocol: 6, source, destination, payload: tcp(options) })));
}

function address(text: string): number[] {
  return text.split('.').map(Number);
}

/** Build the packets in time order. */
export function buildScanCapturePackets(): PcapPacket[] {
  const packets: PcapPacket[] = [];
  const scanner = address(scanCaptureFacts.scanner);
  const victim = address(scanCaptureFacts.victim);
  let timeUs = scanCaptureFacts.startUs;

  for (let index = 0; index < scanCaptureFacts.scannedPorts; index += 1) {
    const port = 1_000 + index;
    packets.push({
      timestampUs: timeUs,
      data: frame(scanner, victim, { sourcePort: 50_000, destinationPort: port, sequence: 100, flags: syn }),
    });
    packets.push({
      timestampUs: timeUs + 200,
      data: frame(victim, scanner, {
        sourcePort: port,
        destinationPort: 50_000,
        sequence: 0,
        acknowledgement: 101,
        flags: rstAck,
      }),
    });
    timeUs += 10_000;
  }

  const client = address(scanCaptureFacts.client);
  const server = address(scanCaptureFacts.server);
  const request = Array.from('GET / HTTP/1.1\r\nHost: example\r\n\r\n', (character) => character.charCodeAt(0));
  const reply = Array.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', (character) => character.charCodeAt(0));
  const c = { sourcePort: 40_000, destinationPort: 80 };
  const s = { sourcePort: 80, destinationPort: 40_000 };
  const steps: [number[], number[], TcpOptions][] = [
    [client, server, { ...c, sequence: 1_000, flags: syn }],
    [server, client, { ...s, sequence: 5_000, acknowledgement: 1_001, flags: synAck }],
    [client, server, { ...c, sequence: 1_001, acknowledgement: 5_001, flags: ack }],
    [client, server, { ...c, sequence: 1_001, acknowledgement: 5_001, flags: pushAck, payload: request }],
    [
      server,
      client,
      { ...s, sequence: 5_001, acknowledgement: 1_001 + request.length, flags: pushAck, payload: reply },
    ],
    [client, server, { ...c, sequence: 1_001 + request.length, acknowledgement: 5_001 + reply.length, flags: finAck }],
    [server, client, { ...s, sequence: 5_001 + reply.length, acknowledgement: 1_002 + request.length, flags: finAck }],
    [client, server, { ...c, sequence: 1_002 + request.length, acknowledgement: 5_002 + reply.length, flags: ack }],
  ];
  for (const [source, destination, options] of steps) {
    packets.push({ timestampUs: timeUs, data: frame(source, destination, options) });
    timeUs += 1_000;
  }
  return packets;
}

/** Write the capture to a new temporary folder and return its path. */
export function writeScanCapture(): string {
  const directory = mkdtempSync(join(tmpdir(), 'tideline-scan-'));
  const path = join(directory, 'scan.pcap');
  writeFileSync(path, buildPcap({ packets: buildScanCapturePackets() }));
  return path;
}
