/**
 * Follows a SOCKS 4, 4a or 5 handshake (RFC 1928, RFC 1929) on both
 * directions of a TCP stream, so that the bytes after it can be identified
 * as the tunnelled protocol (Zeek logs such a connection as "socks,http").
 * Only the framing is read: lengths come from the wire and are checked
 * against a fixed cap before the parser waits for more bytes.
 */

/** Largest handshake message accepted (a SOCKS 5 domain name is at most 255 bytes). */
const MAX_MESSAGE_BYTES = 600;

const enum Step {
  /** SOCKS 4 request, or SOCKS 5 greeting (client) / method choice (server). */
  first,
  /** SOCKS 5 username/password sub-negotiation. */
  authentication,
  /** SOCKS 5 request (client) or reply (server). */
  request,
  done,
  failed,
}

class SocksDirection {
  step = Step.first;
  pending: number[] = [];
}

export class SocksHandshake {
  private version = 0;
  private method = -1;
  private readonly sides = [new SocksDirection(), new SocksDirection()];

  /** True when the side's handshake messages are all seen. */
  isDone(isFromOriginator: boolean): boolean {
    return this.sides[isFromOriginator ? 0 : 1]?.step === Step.done;
  }

  hasFailed(): boolean {
    return this.sides.some((side) => side.step === Step.failed);
  }

  /**
   * Consume handshake bytes (borrowed) from one side. Returns how many bytes
   * belong to the handshake; the rest of `data` is tunnelled payload.
   */
  consume(data: Uint8Array, isFromOriginator: boolean): number {
    const side = this.sides[isFromOriginator ? 0 : 1] as SocksDirection;
    let used = 0;
    while (used < data.length && side.step !== Step.done && side.step !== Step.failed) {
      side.pending.push(data[used] ?? 0);
      used++;
      const needed = this.getMessageLength(side, isFromOriginator);
      if (needed < 0) {
        side.step = Step.failed;
        break;
      }
      if (needed === 0 || side.pending.length < needed) {
        if (side.pending.length > MAX_MESSAGE_BYTES) side.step = Step.failed;
        continue;
      }
      this.finishMessage(side, isFromOriginator);
      side.pending = [];
    }
    return used;
  }

  /** Length of the message being collected, 0 while it is still unknown, -1 when it is not SOCKS. */
  private getMessageLength(side: SocksDirection, isFromOriginator: boolean): number {
    const bytes = side.pending;
    const at = (index: number): number => bytes[index] ?? 0;
    if (side.step === Step.first && isFromOriginator) {
      if (at(0) === 5) return bytes.length < 2 ? 0 : 2 + at(1);
      if (at(0) !== 4) return -1;
      // SOCKS 4: 8 fixed bytes, a user id ending in NUL, and for 4a (address 0.0.0.x) a domain ending in NUL.
      if (bytes.length < 9) return 0;
      const isSocks4a = at(4) === 0 && at(5) === 0 && at(6) === 0 && at(7) !== 0;
      const nulCount = bytes.slice(8).filter((byte) => byte === 0).length;
      return nulCount >= (isSocks4a ? 2 : 1) ? bytes.length : 0;
    }
    if (side.step === Step.first) {
      if (this.version === 4) return 8;
      return 2;
    }
    if (side.step === Step.authentication) {
      if (!isFromOriginator) return 2;
      if (bytes.length < 2) return 0;
      const userLength = at(1);
      if (bytes.length < 3 + userLength) return 0;
      return 3 + userLength + at(2 + userLength);
    }
    // SOCKS 5 request or reply: version, command/reply, reserved, address type, address, port.
    if (bytes.length < 5) return 0;
    const addressType = at(3);
    if (addressType === 1) return 10;
    if (addressType === 4) return 22;
    if (addressType === 3) return 7 + at(4);
    return -1;
  }

  private finishMessage(side: SocksDirection, isFromOriginator: boolean): void {
    const bytes = side.pending;
    if (side.step === Step.first) {
      if (isFromOriginator) {
        this.version = bytes[0] ?? 0;
        side.step = this.version === 4 ? Step.done : Step.request;
        if (this.version === 5 && this.method === 2) side.step = Step.authentication;
        return;
      }
      if (this.version === 4) {
        side.step = bytes[1] === 90 ? Step.done : Step.failed;
        return;
      }
      this.method = bytes[1] ?? 0xff;
      if (this.method === 0xff) side.step = Step.failed;
      else side.step = this.method === 2 ? Step.authentication : Step.request;
      // The client's greeting was already classified before the server chose; move it to authentication.
      const client = this.sides[0] as SocksDirection;
      if (this.method === 2 && client.step === Step.request && client.pending.length === 0) client.step = Step.authentication;
      return;
    }
    if (side.step === Step.authentication) {
      side.step = isFromOriginator || bytes[1] === 0 ? Step.request : Step.failed;
      return;
    }
    side.step = isFromOriginator || bytes[1] === 0 ? Step.done : Step.failed;
  }
}
