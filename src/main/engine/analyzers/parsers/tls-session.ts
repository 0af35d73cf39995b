/**
 * Folds the events of one connection's TlsStreamParser into a
 * TlsSessionRecord: the hellos, the certificate chains (parsed once per
 * certificate), Zeek's ssl_history letters, and whether the session was
 * established or resumed.
 */
import type { TlsSessionRecord } from '../../../../shared/domain/records-tls';
import { TLS_CONTENT_TYPE, type TlsEvent } from './tls-stream-parser';
import { letterForHandshakeType } from './tls-names';
import { parseX509Certificate } from './x509-certificate';

const MAX_HISTORY_LETTERS = 100;
const MAX_PROBLEMS = 8;
const TLS_1_3 = 0x0304;

export class TlsSessionBuilder {
  readonly record: TlsSessionRecord = {
    client: null,
    server: null,
    curve: null,
    history: '',
    lastAlert: null,
    isEstablished: false,
    isResumed: false,
    serverCertificates: [],
    clientCertificates: [],
    skippedCertificates: 0,
    problems: [],
  };
  private hasOriginatorChangeCipherSpec = false;
  private hasResponderChangeCipherSpec = false;
  private hasOriginatorEncryptedData = false;
  private hasResponderEncryptedData = false;
  /**
   * Number of the packet whose bytes are being parsed. Events fire while the
   * bytes are pushed, so a message's event reads the packet that completed it.
   */
  packetNumber: number | undefined;

  /** Adds one event; pass this method (bound) as the TlsStreamParser handler. */
  readonly addEvent = (event: TlsEvent): void => {
    switch (event.kind) {
      case 'handshake':
        this.addHistory(letterForHandshakeType(event.messageType), event.isFromOriginator);
        break;
      case 'client-hello':
        if (this.record.client === null && this.packetNumber !== undefined) this.record.clientHelloPacketNumber = this.packetNumber;
        this.record.client ??= event.hello;
        break;
      case 'server-hello':
        this.addServerHello(event);
        break;
      case 'certificates':
        this.addCertificates(event.certificates, event.isFromOriginator, event.skippedCount);
        break;
      case 'server-key-exchange':
        if (event.namedCurve !== null) this.record.curve = event.namedCurve;
        break;
      case 'change-cipher-spec':
        this.addHistory('I', event.isFromOriginator);
        if (event.isFromOriginator) this.hasOriginatorChangeCipherSpec = true;
        else this.hasResponderChangeCipherSpec = true;
        break;
      case 'alert':
        this.addHistory('L', event.isFromOriginator);
        this.record.lastAlert = event.description;
        break;
      case 'heartbeat':
        this.addHistory('B', event.isFromOriginator);
        break;
      case 'encrypted-data':
        if (event.contentType === TLS_CONTENT_TYPE.applicationData) {
          if (event.isFromOriginator) this.hasOriginatorEncryptedData = true;
          else this.hasResponderEncryptedData = true;
        }
        break;
      case 'problem':
        if (this.record.problems.length < MAX_PROBLEMS) {
          this.record.problems.push(
            `${event.isFromOriginator ? 'originator' : 'responder'} offset ${event.streamOffset}: ${event.message}`,
          );
        }
        break;
    }
    this.updateEstablished();
  };

  private addHistory(letter: string, isFromOriginator: boolean): void {
    if (this.record.history.length >= MAX_HISTORY_LETTERS) return;
    this.record.history += isFromOriginator ? letter : letter.toLowerCase();
  }

  private addServerHello(event: Extract<TlsEvent, { kind: 'server-hello' }>): void {
    const hello = event.hello;
    // A HelloRetryRequest is Zeek's 'J'. The history already ends in 's' for it, so swap the letter.
    if (hello.isHelloRetryRequest) this.record.history = this.record.history.replace(/s$/, 'j');
    this.record.server = hello;
    if (hello.keyShareGroup !== null) this.record.curve = hello.keyShareGroup;

    // Zeek's rule: an echoed non-empty session id resumes TLS 1.2 and below; TLS 1.3
    // echoes the id for middlebox compatibility and resumes only through a pre-shared key.
    const clientSessionId = this.record.client?.sessionIdHex ?? '';
    if (hello.version === TLS_1_3 || hello.version >> 8 === 0x7f) this.record.isResumed = hello.hasPreSharedKey;
    else this.record.isResumed = clientSessionId !== '' && clientSessionId === hello.sessionIdHex;
  }

  private addCertificates(certificates: Uint8Array[], isFromOriginator: boolean, skippedCount: number): void {
    const chain = isFromOriginator ? this.record.clientCertificates : this.record.serverCertificates;
    if (chain.length > 0) return;
    for (const der of certificates) chain.push(parseX509Certificate(der));
    if (!isFromOriginator && this.packetNumber !== undefined) this.record.serverCertificatePacketNumber = this.packetNumber;
    this.record.skippedCertificates += skippedCount;
  }

  /**
   * TLS 1.2 and below: both sides sent ChangeCipherSpec. TLS 1.3: both sides
   * sent application-data records after a 1.3 ServerHello.
   * NOTE: Zeek marks TLS 1.3 established on the first encrypted record of each
   * side as well, so a 1.3 handshake the server aborts with an encrypted alert
   * reads as established here and there alike.
   */
  private updateEstablished(): void {
    if (this.record.isEstablished) return;
    const version = this.record.server?.version ?? 0;
    const isTls13 = version === TLS_1_3 || version >> 8 === 0x7f;
    this.record.isEstablished = isTls13
      ? this.hasOriginatorEncryptedData && this.hasResponderEncryptedData
      : this.hasOriginatorChangeCipherSpec && this.hasResponderChangeCipherSpec;
  }
}
