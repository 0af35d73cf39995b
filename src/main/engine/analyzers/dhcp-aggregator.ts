/**
 * Aggregates DHCP messages into dhcp.log records by transaction id, as
 * Zeek's base/protocols/dhcp/main.zeek does: one record per exchange
 * (DISCOVER, OFFER, REQUEST, ACK, ...) across every flow that carried it.
 *
 * Zeek expires an exchange from a table created with a 10 s expiry that it
 * rechecks every 5 s, writing the record once no message came for 5 s or the
 * exchange is older than 30 s. The same checks are replayed here on the
 * packet clock when a message arrives and at the end of the capture.
 */
import type { DhcpRecord } from '../../../shared/domain/records';
import type { DhcpMessageEvent } from './analyzer-context';
import { dhcpMessageTypeNames } from './dhcp-message';

const FIRST_CHECK_US = 10_000_000;
const RECHECK_US = 5_000_000;
const IDLE_US = 5_000_000;
const MAX_WATCH_US = 30_000_000;
/** Zeek's defaults for max_uids_per_log_entry and max_msg_types_per_log_entry. */
const DEFAULT_MAX_UIDS = 10;
const MAX_MESSAGE_TYPES = 50;

interface Exchange {
  record: DhcpRecord;
  lastMessageUs: number;
  /** chaddr of a client message, used for `mac` when nothing better was seen. */
  clientChaddr: string | null;
}

export class DhcpAggregator {
  private readonly exchanges = new Map<number, Exchange>();

  constructor(
    private readonly emit: (record: DhcpRecord) => void,
    private readonly maxUids = DEFAULT_MAX_UIDS,
  ) {}

  add(event: DhcpMessageEvent): void {
    this.expire(event.timestampUs);
    const message = event.message;
    let exchange = this.exchanges.get(message.transactionId);
    if (exchange === undefined) {
      exchange = { record: createRecord(event.timestampUs, message.transactionId), lastMessageUs: event.timestampUs, clientChaddr: null };
      this.exchanges.set(message.transactionId, exchange);
    }
    const record = exchange.record;
    record.durationUs = event.timestampUs - record.timestampUs;
    if (!record.uids.includes(event.uid)) record.uids.push(event.uid);
    const typeName = message.messageType === null ? null : (dhcpMessageTypeNames[message.messageType] ?? `UNKNOWN_${message.messageType}`);
    if (typeName !== null) record.messageTypes.push(typeName);
    exchange.lastMessageUs = event.timestampUs;

    const { endpoints } = event;
    const isClient =
      event.isFromOriginator && (endpoints.originatorAddress === '0.0.0.0' || endpoints.originatorPort === 68 || endpoints.responderPort === 67);
    if (message.message !== null) {
      if (isClient) record.clientMessage = message.message;
      else record.serverMessage = message.message;
    }

    if (isClient) {
      if (endpoints.originatorAddress !== '0.0.0.0' && endpoints.originatorAddress !== '255.255.255.255') record.clientAddress = endpoints.originatorAddress;
      if (message.hostName !== null) record.hostName = message.hostName;
      if (message.clientFqdn !== null) record.clientFqdn = message.clientFqdn;
      if (message.clientIdMac !== null) record.clientMac = message.clientIdMac;
      else exchange.clientChaddr = message.clientHardwareAddress;
      if (message.requestedAddress !== null) record.requestedAddress = message.requestedAddress;
      if (message.vendorClass !== null) record.vendorClass = message.vendorClass;
      if (message.parameterRequestList.length > 0) record.requestedOptions = message.parameterRequestList;
    } else {
      if (message.yourAddress !== '0.0.0.0') {
        record.serverAddress = event.isFromOriginator ? endpoints.originatorAddress : endpoints.responderAddress;
        record.assignedAddress = message.yourAddress;
      }
      if (message.clientHardwareAddress !== '' && record.clientMac === null) record.clientMac = message.clientHardwareAddress;
      if (record.clientAddress === null && record.assignedAddress !== null) record.clientAddress = record.assignedAddress;
      if (message.domainName !== null) record.domain = message.domainName;
      if (message.leaseTimeSeconds !== null) record.leaseTimeSeconds = message.leaseTimeSeconds;
      if (message.serverIdentifier !== null) record.serverIdentifier = message.serverIdentifier;
    }

    if (record.uids.length >= this.maxUids || record.messageTypes.length >= MAX_MESSAGE_TYPES) this.write(message.transactionId, exchange);
  }

  /** Write every exchange still open (end of capture). */
  flush(): void {
    for (const [transactionId, exchange] of [...this.exchanges]) this.write(transactionId, exchange);
  }

  /** Write exchanges that Zeek's expiry checks would have written before `nowUs`. */
  private expire(nowUs: number): void {
    for (const [transactionId, exchange] of [...this.exchanges]) {
      const startUs = exchange.record.timestampUs;
      for (let checkUs = startUs + FIRST_CHECK_US; checkUs <= nowUs; checkUs += RECHECK_US) {
        if (checkUs - exchange.lastMessageUs > IDLE_US || checkUs - startUs > MAX_WATCH_US) {
          this.write(transactionId, exchange);
          break;
        }
      }
    }
  }

  private write(transactionId: number, exchange: Exchange): void {
    this.exchanges.delete(transactionId);
    if (exchange.record.clientMac === null && exchange.clientChaddr !== null) exchange.record.clientMac = exchange.clientChaddr;
    this.emit(exchange.record);
  }
}

function createRecord(timestampUs: number, transactionId: number): DhcpRecord {
  return {
    timestampUs,
    uids: [],
    transactionId,
    clientAddress: null,
    serverAddress: null,
    clientMac: null,
    hostName: null,
    clientFqdn: null,
    domain: null,
    requestedAddress: null,
    assignedAddress: null,
    leaseTimeSeconds: null,
    clientMessage: null,
    serverMessage: null,
    messageTypes: [],
    durationUs: 0,
    vendorClass: null,
    serverIdentifier: null,
    requestedOptions: [],
  };
}
