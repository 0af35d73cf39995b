/**
 * Runs the TLS, QUIC, SSH and SMB parsers over the public captures beside the
 * repository (../shared/pcaps/public) and compares what they find with the
 * tshark truth (tls_sni) and the Zeek baselines. A throwaway check, not a
 * test: TCP payload is concatenated in sequence order per direction, with
 * retransmissions dropped and gaps left as they are.
 *
 * Usage: npx tsx scripts/parsers-check.ts [capture-path-substring | --all-sni]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCaptureFile } from '../src/main/engine/source/read-capture-file';
import { decodePacket } from '../src/main/engine/decode/packet-decoder';
import { createDecodedPacket } from '../src/main/engine/decode/decoded-packet';
import { formatAddressBytes } from '../src/main/engine/flows/address-text';
import { TlsStreamParser } from '../src/main/engine/analyzers/parsers/tls-stream-parser';
import { TlsSessionBuilder } from '../src/main/engine/analyzers/parsers/tls-session';
import { toZeekSslRecord, toZeekX509Record } from '../src/main/engine/analyzers/parsers/zeek-tls-records';
import { SshStreamParser } from '../src/main/engine/analyzers/parsers/ssh-stream-parser';
import { toZeekSshRecord } from '../src/main/engine/analyzers/parsers/zeek-ssh-records';
import { QuicConnectionParser } from '../src/main/engine/analyzers/parsers/quic-initial';
import { SmbStreamParser } from '../src/main/engine/analyzers/parsers/smb-stream-parser';
import type { ZeekRow } from '../src/main/engine/analyzers/parsers/zeek-row';
import { toZeekSmbFilesRecord } from '../src/main/engine/analyzers/parsers/zeek-smb-quic-records';

const PUBLIC = join(import.meta.dirname, '..', '..', 'shared', 'pcaps', 'public');

interface Stream {
  key: string;
  originator: string;
  responder: string;
  originatorPort: number;
  responderPort: number;
  firstUs: number;
  nextSequence: [number | null, number | null];
  firstFrame: number;
  kind: 'unknown' | 'tls' | 'ssh' | 'smb' | 'quic' | 'other';
  tls?: { parser: TlsStreamParser; builder: TlsSessionBuilder; frames: number[] };
  ssh?: SshStreamParser;
  smb?: SmbStreamParser;
  quic?: QuicConnectionParser;
}

function classify(payload: Uint8Array, isUdp: boolean): Stream['kind'] {
  if (isUdp) return (payload[0]! & 0xc0) === 0xc0 && payload.length >= 1200 ? 'quic' : 'other';
  if (payload[0] === 0x16 || ((payload[0]! & 0x80) !== 0 && payload[2] === 1)) return 'tls';
  if (payload.length >= 4 && String.fromCharCode(...payload.subarray(0, 4)) === 'SSH-') return 'ssh';
  if (payload.length >= 8 && payload[0] === 0 && (payload[4] === 0xfe || payload[4] === 0xff) && payload[5] === 0x53)
    return 'smb';
  return 'other';
}

async function checkCapture(relativePath: string): Promise<void> {
  const streams = new Map<string, Stream>();
  const decoded = createDecodedPacket();
  const tlsSniByFrame: { frame: number; sni: string; proto: string }[] = [];

  await readCaptureFile(join(PUBLIC, relativePath), {
    onWarning() {},
    onPacket(record) {
      decodePacket(record.data, record.linkType, decoded);
      const layer = decoded.layers[decoded.layerCount - 1];
      if (layer === undefined || !layer.hasTransport || layer.isFragment) return;
      if (layer.protocol !== 6 && layer.protocol !== 17) return;
      const isIpv6 = layer.ipVersion === 6;
      const source = formatAddressBytes(record.data, layer.sourceAddressOffset, isIpv6) + ':' + layer.sourcePort;
      const destination =
        formatAddressBytes(record.data, layer.destinationAddressOffset, isIpv6) + ':' + layer.destinationPort;
      const key = layer.protocol + ' ' + [source, destination].sort().join(' ');
      const payload = record.data.subarray(layer.payloadOffset, layer.payloadOffset + layer.payloadLength);
      let stream = streams.get(key);
      if (stream === undefined) {
        const isSyn = layer.protocol === 6 && (layer.tcpFlags & 0x12) === 0x12;
        const [originator, responder] = isSyn ? [destination, source] : [source, destination];
        stream = {
          key,
          originator: originator.replace(/:\d+$/, ''),
          responder: responder.replace(/:\d+$/, ''),
          originatorPort: Number(/:(\d+)$/.exec(originator)![1]),
          responderPort: Number(/:(\d+)$/.exec(responder)![1]),
          firstUs: record.timestampUs,
          nextSequence: [null, null],
          firstFrame: record.packetNumber,
          kind: 'unknown',
        };
        streams.set(key, stream);
      }
      const isFromOriginator = source === `${stream.originator}:${stream.originatorPort}`;
      let data = payload;
      if (layer.protocol === 6) {
        const index = isFromOriginator ? 0 : 1;
        const sequence = layer.tcpSequence;
        if ((layer.tcpFlags & 0x02) !== 0) {
          stream.nextSequence[index] = (sequence + 1) >>> 0;
          return;
        }
        const expected = stream.nextSequence[index];
        if (expected !== null) {
          const delta = (sequence - expected) | 0;
          if (delta < 0) {
            if (-delta >= data.length) return;
            data = data.subarray(-delta);
          }
        }
        if (data.length === 0) return;
        stream.nextSequence[index] = (sequence + payload.length) >>> 0;
      }
      if (data.length === 0) return;
      if (stream.kind === 'unknown') {
        stream.kind = classify(data, layer.protocol === 17);
        if (stream.kind === 'tls') {
          const builder = new TlsSessionBuilder();
          const frames: number[] = [];
          const parser = new TlsStreamParser((event) => {
            builder.addEvent(event);
            if (event.kind === 'client-hello' && event.hello.serverName !== null) frames.push(currentFrame);
          });
          stream.tls = { parser, builder, frames };
        } else if (stream.kind === 'ssh') stream.ssh = new SshStreamParser();
        else if (stream.kind === 'smb') stream.smb = new SmbStreamParser();
        else if (stream.kind === 'quic') stream.quic = new QuicConnectionParser();
      }
      currentFrame = record.packetNumber;
      stream.tls?.parser.push(isFromOriginator, data);
      stream.ssh?.push(isFromOriginator, data);
      stream.smb?.push(isFromOriginator, data);
      if (stream.quic !== undefined) {
        const before = stream.quic.record.serverName;
        stream.quic.pushDatagram(data, isFromOriginator);
        if (before === null && stream.quic.record.serverName !== null)
          tlsSniByFrame.push({ frame: record.packetNumber, sni: stream.quic.record.serverName, proto: 'quic' });
      }
    },
  });

  const ssl: ZeekRow[] = [];
  const x509: ZeekRow[] = [];
  const ssh: ZeekRow[] = [];
  const smbFiles: ZeekRow[] = [];
  for (const stream of streams.values()) {
    const identity = {
      timestampUs: stream.firstUs,
      uid: stream.key,
      originatorAddress: stream.originator,
      originatorPort: stream.originatorPort,
      responderAddress: stream.responder,
      responderPort: stream.responderPort,
    };
    if (stream.tls !== undefined) {
      stream.tls.parser.end();
      const session = stream.tls.builder.record;
      ssl.push(toZeekSslRecord(identity, session));
      session.serverCertificates.forEach((certificate, index) =>
        x509.push(toZeekX509Record(stream.firstUs, certificate, index === 0, false)),
      );
      const sni = session.client?.serverName;
      if (sni != null) tlsSniByFrame.push({ frame: stream.tls.frames[0] ?? -1, sni, proto: 'tls' });
      if (session.problems.length > 0) console.log(`  problems ${stream.key}: ${session.problems.join(' | ')}`);
    }
    if (stream.ssh !== undefined) ssh.push(toZeekSshRecord(identity, stream.ssh.record));
    if (stream.smb !== undefined) {
      const record = stream.smb.record;
      for (const file of record.files) if (file.status === 0) smbFiles.push(toZeekSmbFilesRecord(identity, file));
      console.log(
        `  smb ${stream.key}: user=${record.sessions.map((s) => `${s.domain}\\${s.userName}`).join(',')} trees=${record.trees.map((t) => `${t.path}(${t.shareType ?? '?'})`).join(',')} files=${record.files.length} pipes=${record.files
          .filter((f) => f.remoteExecutionPipe !== null)
          .map((f) => f.name)
          .join(',')} problems=${record.problems.join('|')}`,
      );
    }
    if (stream.quic !== undefined) console.log(`  quic ${stream.key}: ${JSON.stringify(stream.quic.record)}`);
  }

  console.log(`== ${relativePath}: ${ssl.length} TLS, ${ssh.length} SSH`);
  compareSni(relativePath, tlsSniByFrame);
  compareZeek(relativePath, 'ssl', ssl, [
    'version',
    'cipher',
    'curve',
    'server_name',
    'resumed',
    'last_alert',
    'next_protocol',
    'established',
    'ssl_history',
    'cert_chain_fps',
    'client_cert_chain_fps',
    'sni_matches_cert',
  ]);
  compareZeek(relativePath, 'x509', x509, null);
  compareZeek(relativePath, 'ssh', ssh, [
    'version',
    'auth_success',
    'auth_attempts',
    'client',
    'server',
    'cipher_alg',
    'mac_alg',
    'compression_alg',
    'kex_alg',
    'host_key_alg',
    'host_key_fingerprint',
  ]);
  compareZeek(relativePath, 'smb_files', smbFiles, [
    'action',
    'path',
    'name',
    'size',
    'times.modified',
    'times.accessed',
    'times.created',
    'times.changed',
  ]);
  if (process.env.VERBOSE) for (const row of [...ssl, ...ssh]) console.log('  ', JSON.stringify(row));
}

let currentFrame = 0;

function compareSni(relativePath: string, found: { frame: number; sni: string; proto: string }[]): void {
  const truthPath = join(PUBLIC, 'truth', relativePath + '.json');
  if (!existsSync(truthPath)) return;
  const truth = JSON.parse(readFileSync(truthPath, 'utf8')) as {
    tls_sni: { items: { frame: number; sni: string; proto: string }[] };
  };
  const foundNames = new Set(found.map((item) => `${item.proto} ${item.sni}`));
  const expected = new Set(truth.tls_sni.items.map((item) => `${item.proto} ${item.sni}`));
  const missing = [...expected].filter((name) => !foundNames.has(name));
  const extra = [...foundNames].filter((name) => !expected.has(name));
  console.log(
    `  SNI: truth ${expected.size} distinct, found ${foundNames.size}; missing [${missing.join(', ')}] extra [${extra.join(', ')}]`,
  );
}

function formatValue(value: ZeekRow[string] | undefined): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'boolean') return value ? 'T' : 'F';
  if (Array.isArray(value)) return value.length === 0 ? '(empty)' : value.join(',');
  // Zeek's TSV writer escapes a backslash in strings as two.
  return String(value).replace(/\\/g, '\\\\');
}

function compareZeek(relativePath: string, log: string, rows: ZeekRow[], fields: string[] | null): void {
  const name = relativePath.replace('/', '__');
  const prefix = name.startsWith('zeek__') ? name.slice('zeek__'.length) : name;
  const directory = join(PUBLIC, 'zeek', 'expected');
  const candidates = existsSync(directory)
    ? readdirSafe(directory).filter((file) => file.startsWith(prefix + '.') && file.endsWith(`.${log}.log`))
    : [];
  for (const file of candidates) {
    const lines = readFileSync(join(directory, file), 'utf8').split('\n');
    const header = lines
      .find((line) => line.startsWith('#fields'))!
      .split('\t')
      .slice(1);
    const expectedRows = lines.filter((line) => line !== '' && !line.startsWith('#')).map((line) => line.split('\t'));
    const compared = fields ?? header.filter((field) => field !== 'ts');
    let mismatches = 0;
    expectedRows.forEach((expectedRow, index) => {
      const actual =
        log === 'x509'
          ? rows.find((row) => row.fingerprint === expectedRow[header.indexOf('fingerprint')])
          : log === 'smb_files'
            ? rows.find((row) => formatValue(row.name) === expectedRow[header.indexOf('name')])
            : rows.find((row) => String(row['id.orig_p']) === expectedRow[header.indexOf('id.orig_p')]);
      if (actual === undefined) {
        console.log(`  ${log} row ${index}: not found`);
        mismatches++;
        return;
      }
      for (const field of compared) {
        const expected = expectedRow[header.indexOf(field)];
        let value = actual[field];
        if (typeof value === 'number' && (field.startsWith('certificate.not_valid') || field.startsWith('times.')))
          value = (value / 1e6).toFixed(6);
        const text = formatValue(value);
        if (
          expected !== text &&
          !(field === 'host_key_fingerprint' && expected !== undefined && text.startsWith(expected))
        ) {
          console.log(`  ${log} row ${index} ${field}: zeek '${expected}' ours '${text}'`);
          mismatches++;
        }
      }
    });
    console.log(`  ${file}: ${expectedRows.length} rows, ${mismatches} mismatches`);
  }
}

function readdirSafe(directory: string): string[] {
  return readdirSync(directory);
}

const CAPTURES = [
  'zeek/tls__tls1.2.pcap',
  'zeek/tls__tls13-ech.pcap',
  'zeek/ssh__ssh.pcap',
  'zeek/smb__smb1.pcap',
  'pcapplusplus/ExamplesTest__tls.pcap',
  'pcapplusplus/ExamplesTest__many-protocols.pcap',
  'pcapplusplus/Packet++Test__PacketExamples__tls_grease.pcap',
  'pcapplusplus/Packet++Test__PacketExamples__ssh_packets.pcap',
  'pcapplusplus/Pcap++Test__PcapExamples__example.pcap',
  'suricata-verify/bug-1450-04__tls_DER-incomplete-header.pcap',
  'suricata-verify/bug-2646-01__input.pcap',
  'suricata-verify/community-id-ipv6__input.pcap',
  'suricata-verify/ja4-tls__input.pcap',
  'suricata-verify/output-eve-smb-01__input.pcap',
  'suricata-verify/quic-ietf__input.pcap',
  'suricata-verify/smb2-04__20171220_smb_at_schedule.pcap',
  'suricata-verify/smb3-01__input.pcap',
  'suricata-verify/ssh-hassh__input.pcap',
  'suricata-verify/tls__tls13-draft28__tls13_draft28.pcap',
  'tcpdump/quic_handshake.pcap',
];

/** Every capture in MANIFEST.tsv whose tshark truth lists TLS or QUIC server names. */
function listCapturesWithSni(): string[] {
  const rows = readFileSync(join(PUBLIC, 'MANIFEST.tsv'), 'utf8').split('\n').slice(1);
  return rows
    .map((row) => row.split('\t')[0] ?? '')
    .filter((path) => {
      const truthPath = join(PUBLIC, 'truth', path + '.json');
      if (path === '' || !existsSync(truthPath)) return false;
      const truth = JSON.parse(readFileSync(truthPath, 'utf8')) as { tls_sni?: { total: number } };
      return (truth.tls_sni?.total ?? 0) > 0;
    });
}

if (!existsSync(PUBLIC)) {
  console.log(`skipped: ${PUBLIC} is absent`);
} else {
  const filter = process.argv[2] ?? '';
  const captures = filter === '--all-sni' ? listCapturesWithSni() : CAPTURES.filter((path) => path.includes(filter));
  for (const capture of captures) {
    if (existsSync(join(PUBLIC, capture))) await checkCapture(capture);
    else console.log(`== ${capture}: absent`);
  }
}
