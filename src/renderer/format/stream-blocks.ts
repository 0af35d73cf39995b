/** Follow stream's blocks: a conversation's payload chunks as the view draws them. */
import type { FollowedStream, StreamChunk } from '../../shared/domain/packet-tree';
import { decodeBase64 } from '../stores/packets';

/** One run of payload from one side: consecutive chunks of the same direction joined. */
export interface StreamBlock {
  direction: StreamChunk['direction'];
  bytes: Uint8Array;
  firstPacketNumber: number;
  lastPacketNumber: number;
}

/**
 * Joins consecutive TCP chunks of the same direction, so a line split across
 * segments ("flow clien" / "t update") reads as one. UDP datagrams stay apart:
 * each is a message of its own.
 */
export function joinStreamChunks(stream: Pick<FollowedStream, 'transport' | 'chunks'>): StreamBlock[] {
  const blocks: { direction: StreamChunk['direction']; parts: Uint8Array[]; size: number; first: number; last: number }[] = [];
  for (const chunk of stream.chunks) {
    const bytes = decodeBase64(chunk.bytesBase64);
    const previous = blocks.at(-1);
    if (stream.transport === 'tcp' && previous !== undefined && previous.direction === chunk.direction) {
      previous.parts.push(bytes);
      previous.size += bytes.length;
      previous.last = chunk.packetNumber;
      continue;
    }
    blocks.push({ direction: chunk.direction, parts: [bytes], size: bytes.length, first: chunk.packetNumber, last: chunk.packetNumber });
  }
  return blocks.map((block) => {
    const bytes = new Uint8Array(block.size);
    let offset = 0;
    for (const part of block.parts) {
      bytes.set(part, offset);
      offset += part.length;
    }
    return { direction: block.direction, bytes, firstPacketNumber: block.first, lastPacketNumber: block.last };
  });
}
