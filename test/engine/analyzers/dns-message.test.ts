import { describe, expect, it } from 'vitest';
import { parseDnsMessage } from '../../../src/main/engine/analyzers/dns-message';

/** Encode a name as labels without compression. */
function encodeName(name: string): number[] {
  const out: number[] = [];
  for (const label of name.split('.')) {
    out.push(label.length, ...Buffer.from(label, 'latin1'));
  }
  out.push(0);
  return out;
}

/** A response for example.com A with a compressed CNAME and A answer. */
function buildResponse(): Uint8Array {
  return Uint8Array.from([
    0x12, 0x34, // id
    0x81, 0x80, // QR, RD, RA
    0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, // 1 question, 2 answers, 0 authority, 1 additional
    ...encodeName('WWW.Example.com'), 0x00, 0x01, 0x00, 0x01, // question at offset 12
    0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x02, 0xc0, 0x10, // CNAME -> example.com (offset 16), TTL 3600
    0xc0, 0x10, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04, 93, 184, 216, 34, // A, TTL 60
    0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // OPT, UDP size 1232
  ]);
}

describe('parseDnsMessage', () => {
  it('decodes header, question and compressed answers', () => {
    const { message, problem } = parseDnsMessage(buildResponse());
    expect(problem).toBeNull();
    expect(message?.id).toBe(0x1234);
    expect(message?.isResponse).toBe(true);
    expect(message?.isRecursionDesired).toBe(true);
    expect(message?.isRecursionAvailable).toBe(true);
    expect(message?.questions).toEqual([{ name: 'www.example.com', type: 1, class: 1 }]);
    expect(message?.records.map((record) => [record.type, record.text, record.ttlSeconds])).toEqual([
      [5, 'example.com', 3600],
      [1, '93.184.216.34', 60],
      [41, '', 0],
    ]);
    expect(message?.ednsUdpPayloadSize).toBe(1232);
  });

  it('formats TXT, MX, SRV and AAAA data', () => {
    const answers = [
      [...encodeName('t'), 0x00, 0x10, 0x00, 0x01, 0, 0, 0, 1, 0x00, 0x06, 2, 0x68, 0x69, 2, 0x79, 0x6f],
      [...encodeName('m'), 0x00, 0x0f, 0x00, 0x01, 0, 0, 0, 1, 0x00, 0x06, 0x00, 0x0a, ...encodeName('mx')],
      [...encodeName('s'), 0x00, 0x21, 0x00, 0x01, 0, 0, 0, 1, 0x00, 0x0b, 0, 1, 0, 2, 0x13, 0x88, ...encodeName('srv')],
      [...encodeName('a'), 0x00, 0x1c, 0x00, 0x01, 0, 0, 0, 1, 0x00, 0x10, 0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1],
    ];
    const bytes = Uint8Array.from([0, 1, 0x84, 0, 0, 0, 0, answers.length, 0, 0, 0, 0, ...answers.flat()]);
    const { message, problem } = parseDnsMessage(bytes);
    expect(problem).toBeNull();
    expect(message?.records.map((record) => record.text)).toEqual(['TXT 2 hi TXT 2 yo', 'mx', 'srv', '2001:db8::1']);
  });

  it('rejects a pointer loop', () => {
    // The question name at 12 points to itself.
    const bytes = Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1]);
    expect(parseDnsMessage(bytes).problem).toBe('DNS_label_forward_compress_offset');
  });

  it('stops a backward pointer chain at the hop limit', () => {
    // Answer 1 (NULL type) carries, from offset 23, the name "a" and 20
    // pointers each pointing to the one before it. Answer 2's name points to
    // the last of them, so reading it takes 21 hops.
    const chain: number[] = [...encodeName('a')];
    for (let i = 0; i < 20; i++) chain.push(0xc0, i === 0 ? 23 : 23 + 3 + (i - 1) * 2);
    const last = 23 + 3 + 19 * 2;
    const bytes = Uint8Array.from([
      0, 1, 0x80, 0, 0, 0, 0, 2, 0, 0, 0, 0,
      0, 0, 10, 0, 1, 0, 0, 0, 0, 0, chain.length, ...chain,
      0xc0, last, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4,
    ]);
    const result = parseDnsMessage(bytes);
    expect(result.problem).toBe('DNS_max_compression_chain_depth_exceeded');
    expect(result.message?.records).toHaveLength(1);
  });

  // Hostile inputs: none may throw or hang, and each names its problem.
  const hostile: [string, Uint8Array, string | null][] = [
    ['empty message: shorter than the header', new Uint8Array(0), 'DNS_truncated_len_lt_hdr_len'],
    ['65535 questions claimed with no bytes', Uint8Array.from([0, 1, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0]), 'DNS_label_len_gt_pkt'],
    ['65535 answers claimed after one question', Uint8Array.from([0, 1, 0x80, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0]), 'DNS_label_len_gt_pkt'],
    ['label length 63 past the end', Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63, 0x61]), 'DNS_label_len_gt_pkt'],
    ['reserved label type 0x40', Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0]), 'DNS_label_too_long'],
    ['A record with rdlength 5', Uint8Array.from([0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5]), 'DNS_RR_length_mismatch'],
    ['rdlength past the end', Uint8Array.from([0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 1]), 'DNS_truncated_RR_rdlength_lt_len'],
    ['TXT string longer than its record', Uint8Array.from([0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 2, 9, 0x61]), 'DNS_RR_length_mismatch'],
  ];
  it.each(hostile)('%s', (_name, bytes, expected) => {
    expect(parseDnsMessage(bytes).problem).toBe(expected);
  });

  it('survives every truncation of a valid response', () => {
    const full = buildResponse();
    for (let length = 0; length < full.length; length++) {
      const result = parseDnsMessage(full.subarray(0, length));
      expect(result.problem, `length ${length}`).not.toBeNull();
    }
  });

  it('rejects a name longer than 255 bytes', () => {
    const labels: number[] = [];
    for (let i = 0; i < 5; i++) labels.push(63, ...new Array<number>(63).fill(0x61));
    const bytes = Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, 0, 1, 0, 1]);
    expect(parseDnsMessage(bytes).problem).toBe('DNS_name_too_long');
  });
});
