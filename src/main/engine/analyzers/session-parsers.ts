/**
 * Runs the protocol parsers of ./parsers (TLS, SSH, SMB over TCP, QUIC over
 * UDP) for one flow and turns their session records into Zeek rows when the
 * flow ends: ssl.log, x509.log, ssh.log, smb_mapping.log, smb_files.log and
 * quic.log.
 */
import type { FlowHandle } from '../flows/flow-hooks';
import {
  QuicConnectionParser,
  SmbStreamParser,
  SshStreamParser,
  TlsSessionBuilder,
  TlsStreamParser,
  toZeekQuicRecord,
  toZeekSmbFilesRecord,
  nameSmbOpenAction,
  toZeekSmbMappingRecord,
  toZeekSslRecord,
  toZeekSshRecord,
  toZeekX509Record,
  type ZeekConnectionIdentity,
  type ZeekRow,
} from './parsers';

/**
 * Bytes per direction given to the TLS and SSH parsers. Their logs describe
 * the handshake, which ends well before this (a certificate chain is a few
 * KiB); the encrypted data after it is not parsed.
 */
export const MAX_HANDSHAKE_STREAM_BYTES = 256 * 1024;
/** QUIC datagrams per flow given to the parser: the Initial packets come first. */
const MAX_QUIC_DATAGRAMS = 16;
/** Certificates remembered to write each to x509.log once per capture, as Zeek caches them by fingerprint. */
const MAX_REMEMBERED_CERTIFICATES = 10_000;

/** Receives the rows of the logs these parsers feed. */
export interface SessionLogSinks {
  onSsl?(row: ZeekRow): void;
  onX509?(row: ZeekRow): void;
  onSsh?(row: ZeekRow): void;
  onSmbMapping?(row: ZeekRow): void;
  onSmbFiles?(row: ZeekRow): void;
  /**
   * An SMB2 open of a named pipe, as an smb_files row with the action
   * SMB::PIPE_OPEN. Zeek leaves these out of smb_files.log by default, but
   * the detectors read them (svcctl, atsvc and the other remote execution pipes).
   */
  onSmbPipeOpen?(row: ZeekRow): void;
  onQuic?(row: ZeekRow): void;
}

type StreamParserKind = 'tls' | 'ssh' | 'smb';

/** One flow's stream parser (TLS, SSH or SMB), fed with the reassembled bytes of both directions. */
export class StreamSessionParser {
  private readonly tls: { parser: TlsStreamParser; builder: TlsSessionBuilder } | null = null;
  private readonly ssh: SshStreamParser | null = null;
  private readonly smb: SmbStreamParser | null = null;
  private readonly bytesSeen: [number, number] = [0, 0];

  constructor(readonly kind: StreamParserKind) {
    if (kind === 'tls') {
      const builder = new TlsSessionBuilder();
      this.tls = { parser: new TlsStreamParser(builder.addEvent), builder };
    } else if (kind === 'ssh') this.ssh = new SshStreamParser();
    else this.smb = new SmbStreamParser();
  }

  /**
   * Feed in-order bytes (borrowed). Returns false once the parser needs no
   * more of this direction (the handshake cap is reached, or TLS turned to
   * encrypted records). `packetNumber` and `timestampUs` are those of the
   * packet that carried the bytes (SMB request times, TLS certificate packets).
   */
  push(isFromOriginator: boolean, data: Uint8Array, packetNumber?: number, timestampUs?: number): boolean {
    const side = isFromOriginator ? 0 : 1;
    const limit = this.kind === 'smb' ? Number.POSITIVE_INFINITY : MAX_HANDSHAKE_STREAM_BYTES;
    const room = limit - this.bytesSeen[side];
    if (room <= 0) return false;
    const bytes = data.length > room ? data.subarray(0, room) : data;
    this.bytesSeen[side] += bytes.length;
    if (this.tls !== null) {
      this.tls.builder.packetNumber = packetNumber;
      this.tls.parser.push(isFromOriginator, bytes);
    }
    this.ssh?.push(isFromOriginator, bytes);
    this.smb?.push(isFromOriginator, bytes, timestampUs);
    // TLS after the handshake is encrypted application data: stop reading that direction.
    if (this.tls !== null && this.tls.parser.isDone(isFromOriginator)) return false;
    return this.bytesSeen[side] < limit;
  }

  /** End both directions and write the session's rows. */
  finish(identity: ZeekConnectionIdentity, sinks: SessionLogSinks, certificates: CertificateLog): void {
    if (this.tls !== null) {
      this.tls.parser.end();
      const session = this.tls.builder.record;
      if (session.client === null && session.server === null) return;
      sinks.onSsl?.(toZeekSslRecord(identity, session));
      session.serverCertificates.forEach((certificate, index) => certificates.write(identity.timestampUs, certificate, index === 0, false));
      session.clientCertificates.forEach((certificate) => certificates.write(identity.timestampUs, certificate, false, true));
      return;
    }
    if (this.ssh !== null) {
      this.ssh.end();
      const session = this.ssh.record;
      if (session.clientBanner === null && session.serverBanner === null) return;
      sinks.onSsh?.(toZeekSshRecord(identity, session));
      return;
    }
    if (this.smb !== null) {
      this.smb.end();
      const { dialect, trees, files } = this.smb.record;
      for (const tree of trees) sinks.onSmbMapping?.(toZeekSmbMappingRecord(identity, tree));
      const shareTypes = new Map(trees.map((tree) => [tree.path, tree.shareType]));
      for (const file of files) {
        const action = nameSmbOpenAction(dialect, shareTypes.get(file.treePath ?? '') ?? null);
        if (action !== null) sinks.onSmbFiles?.(toZeekSmbFilesRecord(identity, file, action));
        else sinks.onSmbPipeOpen?.(toZeekSmbFilesRecord(identity, file, 'SMB::PIPE_OPEN'));
      }
    }
  }
}

/** One UDP flow's QUIC parser. */
export class QuicSessionParser {
  private readonly parser = new QuicConnectionParser();
  private datagrams = 0;

  push(isFromOriginator: boolean, datagram: Uint8Array): void {
    if (this.datagrams >= MAX_QUIC_DATAGRAMS) return;
    this.datagrams++;
    this.parser.pushDatagram(datagram, isFromOriginator);
  }

  finish(identity: ZeekConnectionIdentity, sinks: SessionLogSinks): void {
    if (this.parser.record.version === null) return;
    sinks.onQuic?.(toZeekQuicRecord(identity, this.parser.record));
  }
}

/** Writes each certificate to x509.log once per capture (by SHA-256 fingerprint), up to a bounded memory. */
export class CertificateLog {
  private readonly seen = new Set<string>();

  constructor(private readonly sinks: SessionLogSinks) {}

  write(timestampUs: number, certificate: Parameters<typeof toZeekX509Record>[1], isHostCertificate: boolean, isClientCertificate: boolean): void {
    if (this.seen.has(certificate.sha256)) return;
    if (this.seen.size < MAX_REMEMBERED_CERTIFICATES) this.seen.add(certificate.sha256);
    this.sinks.onX509?.(toZeekX509Record(timestampUs, certificate, isHostCertificate, isClientCertificate));
  }
}

/** Build the connection columns of a flow's rows, stamped with the connection's start time as Zeek does. */
export function getConnectionIdentity(flow: FlowHandle): ZeekConnectionIdentity {
  return {
    timestampUs: flow.startUs,
    uid: flow.uid,
    originatorAddress: flow.originatorAddressText,
    originatorPort: flow.originatorPort,
    responderAddress: flow.responderAddressText,
    responderPort: flow.responderPort,
  };
}
