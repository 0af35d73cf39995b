import { describe, expect, it } from 'vitest';
import { TcpReassembler, type StreamConsumer } from '../../../src/main/engine/analyzers/tcp-reassembler';

/** Collects delivered text and gaps in order. */
function createCollector(): StreamConsumer & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    deliver(data) {
      events.push(Buffer.from(data).toString('latin1'));
    },
    gap(length) {
      events.push(`<gap ${length}>`);
    },
  };
}

const bytes = (text: string): Uint8Array => Buffer.from(text, 'latin1');

describe('TcpReassembler', () => {
  it('delivers in-order segments after a SYN', () => {
    const consumer = createCollector();
    const stream = new TcpReassembler(consumer);
    stream.addSyn(1000);
    stream.addSegment(1001, bytes('GET '), 1, 0);
    stream.addSegment(1005, bytes('/ HTTP/1.1'), 2, 0);
    expect(consumer.events).toEqual(['GET ', '/ HTTP/1.1']);
    expect(stream.counters.deliveredBytes).toBe(14);
  });

  it('counts a full retransmission and delivers nothing', () => {
    const consumer = createCollector();
    const stream = new TcpReassembler(consumer);
    stream.addSegment(1, bytes('abcd'), 1, 0);
    stream.addSegment(1, bytes('abcd'), 2, 0);
    expect(consumer.events).toEqual(['abcd']);
    expect(stream.counters.duplicateBytes).toBe(4);
  });

  it('keeps first data on a partial overlap', () => {
    const consumer = createCollector();
    const stream = new TcpReassembler(consumer);
    stream.addSegment(1, bytes('abcd'), 1, 0);
    // Bytes 3..4 repeat with different content: the first copy wins, only "ef" is new.
    stream.addSegment(3, bytes('XYef'), 2, 0);
    expect(consumer.events).toEqual(['abcd', 'ef']);
    expect(stream.counters.duplicateBytes).toBe(2);
  });

  it('buffers out-of-order segments until the hole fills', () => {
    const consumer = createCollector();
    const stream = new TcpReassembler(consumer);
    stream.addSegment(1, bytes('ab'), 1, 0);
    stream.addSegment(5, bytes('ef'), 2, 0);
    stream.addSegment(7, bytes('gh'), 3, 0);
    expect(consumer.events).toEqual(['ab']);
    expect(stream.bufferedBytes).toBe(4);
    stream.addSegment(3, bytes('cd'), 4, 0);
    expect(consumer.events).toEqual(['ab', 'cd', 'ef', 'gh']);
    expect(stream.bufferedBytes).toBe(0);
    expect(stream.counters.outOfOrderSegments).toBe(2);
  });

  it('counts differing bytes of overlapping buffered segments', () => {
    const consumer = createCollector();
    const stream = new TcpReassembler(consumer);
    stream.addSegment(1, bytes('a'), 1, 0);
    stream.addSegment(5, bytes('efgh'), 2, 0);
    stream.addSegment(7, bytes('XXij'), 3, 0);
    stream.addSegment(2, bytes('bcd'), 4, 0);
    expect(consumer.events.join('')).toBe('abcdefghij');
    expect(stream.counters.inconsistentBytes).toBe(2);
  });

  it('reports a gap at finish and delivers what follows', () => {
    const consumer = createCollector();
    const stream = new TcpReassembler(consumer);
    stream.addSegment(1, bytes('ab'), 1, 0);
    stream.addSegment(10, bytes('xyz'), 2, 0);
    stream.finish();
    expect(consumer.events).toEqual(['ab', '<gap 7>', 'xyz']);
    expect(stream.counters.gapBytes).toBe(7);
  });

  it('drops out-of-order bytes past the cap', () => {
    const consumer = createCollector();
    const stream = new TcpReassembler(consumer, 4);
    stream.addSegment(1, bytes('a'), 1, 0);
    stream.addSegment(10, bytes('1234'), 2, 0);
    stream.addSegment(20, bytes('5678'), 3, 0);
    expect(stream.bufferedBytes).toBe(4);
    expect(stream.counters.droppedBytes).toBe(4);
  });

  it('follows sequence numbers across the 32-bit wrap', () => {
    const consumer = createCollector();
    const stream = new TcpReassembler(consumer);
    stream.addSyn(0xfffffffd);
    stream.addSegment(0xfffffffe, bytes('ab'), 1, 0);
    stream.addSegment(1, bytes('de'), 2, 0);
    stream.addSegment(0, bytes('c'), 3, 0);
    expect(consumer.events).toEqual(['ab', 'c', 'de']);
  });

  it('ignores segments after stop', () => {
    const consumer = createCollector();
    const stream = new TcpReassembler(consumer);
    stream.addSegment(1, bytes('ab'), 1, 0);
    stream.stop();
    stream.addSegment(3, bytes('cd'), 2, 0);
    expect(consumer.events).toEqual(['ab']);
  });
});

describe('TcpReassembler without a SYN', () => {
  it('drops a keep-alive byte the peer had acknowledged', () => {
    const consumer = createCollector();
    const stream = new TcpReassembler(consumer);
    stream.addPeerAcknowledgement(101);
    // Byte 100 resent as a keep-alive, twice, then the next request at 101.
    stream.addSegment(100, bytes('\0'), 1, 0);
    stream.addSegment(100, bytes('\0'), 2, 0);
    stream.addSegment(101, bytes('GET /'), 3, 0);
    expect(consumer.events).toEqual(['GET /']);
    expect(stream.counters.keepAliveBytes).toBe(2);
  });

  it('keeps a lone first byte that continues the stream', () => {
    const consumer = createCollector();
    const stream = new TcpReassembler(consumer);
    stream.addSegment(100, bytes('l'), 1, 0);
    stream.addSegment(101, bytes('s\r\n'), 2, 0);
    expect(consumer.events).toEqual(['l', 's\r\n']);
  });

  it('delivers a held first byte at finish', () => {
    const consumer = createCollector();
    const stream = new TcpReassembler(consumer);
    stream.addSegment(7, bytes('x'), 1, 0);
    stream.finish();
    expect(consumer.events).toEqual(['x']);
  });
});
