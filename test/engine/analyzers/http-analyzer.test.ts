import { describe, expect, it } from 'vitest';
import type { AnalyzerContext } from '../../../src/main/engine/analyzers/analyzer-context';
import { HttpFlowAnalyzer } from '../../../src/main/engine/analyzers/http-analyzer';
import type { HttpRecord } from '../../../src/shared/domain/records';

function createContext(): AnalyzerContext & { records: HttpRecord[]; weirds: string[] } {
  const records: HttpRecord[] = [];
  const weirds: string[] = [];
  return {
    records,
    weirds,
    flowUid: 'Ctest',
    flowEndpoints: { originatorAddress: '10.66.0.2', originatorPort: 40000, responderAddress: '10.66.0.1', responderPort: 8080 },
    emitDns: () => undefined,
    emitHttp: (record) => records.push(record),
    emitDhcpMessage: () => undefined,
    emitWeird: (name) => weirds.push(name),
  };
}

const bytes = (text: string): Uint8Array => Buffer.from(text, 'latin1');

/** Feed `text` one byte at a time, the hardest split for a stream parser. */
function feedByBytes(analyzer: HttpFlowAnalyzer, text: string, isFromOriginator: boolean): void {
  for (const byte of bytes(text)) analyzer.handleStream(Uint8Array.of(byte), isFromOriginator, 1, 1_000_000);
}

const requests =
  'GET /a HTTP/1.1\r\nHost: example.test:8080\r\nUser-Agent: curl/8\r\nReferer: http://r.test/\r\n\r\n' +
  'POST /b HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello';
const responses =
  'HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3;x=y\r\nefg\r\n0\r\n\r\n' +
  'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok';

describe('HttpFlowAnalyzer', () => {
  it('pairs pipelined requests with their responses', () => {
    const context = createContext();
    const analyzer = new HttpFlowAnalyzer(context);
    analyzer.handleStream(bytes(requests), true, 4, 1_000_000);
    analyzer.handleStream(bytes(responses), false, 6, 1_000_500);
    analyzer.finish();
    expect(context.records).toHaveLength(2);
    const [first, second] = context.records;
    expect(first).toMatchObject({
      transactionDepth: 1, method: 'GET', host: 'example.test', uri: '/a', version: '1.1', userAgent: 'curl/8',
      referrer: 'http://r.test/', statusCode: 200, statusMessage: 'OK', responseBodyBytes: 7, responseMimeTypes: ['text/html'],
    });
    expect(second).toMatchObject({
      transactionDepth: 2, method: 'POST', uri: '/b', requestBodyBytes: 5, requestMimeTypes: ['text/plain'],
      informationalCode: 100, statusCode: 201, responseBodyBytes: 2,
    });
  });

  it('gives the same records when fed a byte at a time', () => {
    const context = createContext();
    const analyzer = new HttpFlowAnalyzer(context);
    feedByBytes(analyzer, requests, true);
    feedByBytes(analyzer, responses, false);
    analyzer.finish();
    expect(context.records.map((record) => [record.uri, record.statusCode, record.responseBodyBytes])).toEqual([
      ['/a', 200, 7],
      ['/b', 201, 2],
    ]);
  });

  it('counts a body read until the connection closes', () => {
    const context = createContext();
    const analyzer = new HttpFlowAnalyzer(context);
    analyzer.handleStream(bytes('GET / HTTP/1.0\r\n\r\n'), true, 1, 0);
    analyzer.handleStream(bytes('HTTP/1.0 200 OK\r\n\r\n0123456789'), false, 2, 0);
    analyzer.finish();
    expect(context.records[0]?.responseBodyBytes).toBe(10);
  });

  it('skips a gap inside a body', () => {
    const context = createContext();
    const analyzer = new HttpFlowAnalyzer(context);
    analyzer.handleStream(bytes('GET / HTTP/1.1\r\n\r\n'), true, 1, 0);
    analyzer.handleStream(bytes('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n012'), false, 2, 0);
    analyzer.handleGap(false, 5);
    analyzer.handleStream(bytes('89'), false, 3, 0);
    expect(context.records[0]?.responseBodyBytes).toBe(10);
  });

  it('logs a HEAD response without reading a body', () => {
    const context = createContext();
    const analyzer = new HttpFlowAnalyzer(context);
    analyzer.handleStream(bytes('HEAD / HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\n\r\n'), true, 1, 0);
    analyzer.handleStream(bytes('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'), false, 2, 0);
    expect(context.records.map((record) => [record.method, record.statusCode, record.responseBodyBytes])).toEqual([
      ['HEAD', 200, 0],
      ['GET', 404, 0],
    ]);
  });

  // Hostile inputs: none may throw; each stops the direction with a weird where named.
  const hostile: [string, string, boolean, string | null][] = [
    ['request line without a URI', 'GARBAGE\r\n\r\n', true, 'bad_HTTP_request'],
    ['status line with a word for a code', 'HTTP/1.1 abc OK\r\n\r\n', false, 'bad_HTTP_reply'],
    ['chunk size that is not hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', false, 'HTTP_bad_chunk_size'],
    ['endless chunk-size line', `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${'1'.repeat(2000)}`, false, 'HTTP_bad_chunk_size'],
    ['header block past 64 KiB', `GET / HTTP/1.1\r\nX: ${'a'.repeat(70_000)}`, true, 'HTTP_excessive_header_length'],
    ['Content-Length of 10^15 with 3 body bytes', 'HTTP/1.1 200 OK\r\nContent-Length: 999999999999999\r\n\r\nabc', false, null],
  ];
  it.each(hostile)('%s', (_name, text, isFromOriginator, weird) => {
    const context = createContext();
    const analyzer = new HttpFlowAnalyzer(context);
    analyzer.handleStream(bytes(text), isFromOriginator, 1, 0);
    analyzer.finish();
    expect(context.weirds).toEqual(weird === null ? [] : [weird]);
  });

  it('survives every truncation of a pipelined exchange', () => {
    for (let length = 0; length <= responses.length; length += 7) {
      const context = createContext();
      const analyzer = new HttpFlowAnalyzer(context);
      analyzer.handleStream(bytes(requests), true, 1, 0);
      analyzer.handleStream(bytes(responses.slice(0, length)), false, 2, 0);
      analyzer.finish();
      expect(context.records, `length ${length}`).toHaveLength(2);
    }
  });
});
