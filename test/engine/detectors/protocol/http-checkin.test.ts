/**
 * The scripted HTTP check-in detector on built records. The check-in series
 * scores with worked sub-scores and evidence, and each gate and benign
 * exclusion holds. HTTP bytes through the analyzer give it the Cookie,
 * Referer, body size and media type it reads.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../../src/shared/domain/alert';
import type { AnalyzerContext } from '../../../../src/main/engine/analyzers/analyzer-context';
import { HttpFlowAnalyzer } from '../../../../src/main/engine/analyzers/http-analyzer';
import type { HttpRecord } from '../../../../src/shared/domain/records';
import type { CaptureSpan } from '../../../../src/main/engine/detectors/detector';
import { DetectionEngine } from '../../../../src/main/engine/detectors/detection-engine';
import { parseDetectionSettings } from '../../../../src/main/engine/detectors/detection-settings';
import { createProtocolDetectors } from '../../../../src/main/engine/detectors/protocol';
import {
  type CheckinPost,
  isRandomToken,
  scoreCheckins,
  splitQuery,
} from '../../../../src/main/engine/detectors/protocol/http-checkin-detector';
import type { HttpObservation } from '../../../../src/main/engine/detectors/protocol/protocol-observation';
import { mapHttpRecord } from '../../../../src/main/engine/detectors/protocol/record-mapping';
import {
  defaultProtocolDetectionSettings,
  parseProtocolDetectionSettings,
} from '../../../../src/main/engine/detectors/protocol-settings';
import { makeFlow, mondayUs, secondUs } from '../flow-factory';
import { makeContext, makeHttp } from './protocol-factory';

const settings = defaultProtocolDetectionSettings.httpCheckin;
const startUs = mondayUs + 10 * 3600 * secondUs;

/** The three CryptoWall 4 check-ins of the public capture, 0, 15 and 41 s apart, each on its own connection. */
const cryptowallUris = ['/76N1Lm.php?n=x4tk7t4jo6', '/76N1Lm.php?g=9m822y31lxud7aj', '/76N1Lm.php?i=ttfkjb668o38k1z'];
const offsetsSeconds = [0, 15, 41];

function checkins(overrides: Partial<HttpObservation> = {}, uris = cryptowallUris): HttpObservation[] {
  return uris.map((uri, i) =>
    makeHttp({
      uid: `Cpost${i}`,
      timestampUs: startUs + (offsetsSeconds[i] ?? 60 * i) * secondUs,
      packetNumber: 100 * (i + 1),
      uri,
      requestBodyBytes: 131 + i,
      ...overrides,
    }),
  );
}

function detect(records: HttpObservation[], detection: unknown = {}, protocol: unknown = {}): Alert[] {
  const detectors = createProtocolDetectors(makeContext(detection), parseProtocolDetectionSettings(protocol));
  for (const record of records) for (const detector of detectors) detector.observeRecord?.(record);
  const times = records.map((record) => record.timestampUs);
  const span: CaptureSpan = { firstUs: Math.min(...times), lastUs: Math.max(...times) };
  return detectors.flatMap((detector) => detector.evaluate(span)).filter((alert) => alert.detector === 'http-checkin');
}

function post(overrides: Partial<CheckinPost> = {}): CheckinPost {
  return {
    uid: 'C1',
    timestampUs: startUs,
    packetNumber: 4,
    uri: '/gate.php?a=x4tk7t4jo6',
    query: 'a=x4tk7t4jo6',
    parameterNames: 'a',
    token: 'x4tk7t4jo6',
    bodyBytes: 130,
    mediaType: 'application/x-www-form-urlencoded',
    hasReferrer: false,
    hasCookie: false,
    userAgent: 'Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1)',
    server: '198.18.0.90',
    ...overrides,
  };
}

function subScore(
  alertOrMeasures: { subScores?: { name: string; value: number }[] },
  name: string,
): number | undefined {
  return alertOrMeasures.subScores?.find((part) => part.name === name)?.value;
}

describe('http-checkin', () => {
  it('raises the CryptoWall-style check-ins with their evidence', () => {
    const flows = [0, 1, 2].map((i) =>
      makeFlow({ uid: `Cpost${i}`, startUs: startUs + (offsetsSeconds[i] as number) * secondUs, responderPort: 80 }),
    );
    const detectors = createProtocolDetectors(makeContext(), defaultProtocolDetectionSettings);
    for (const record of checkins()) for (const detector of detectors) detector.observeRecord?.(record);
    for (const flow of flows) for (const detector of detectors) detector.observeFlow?.(flow);
    const alerts = detectors
      .flatMap((detector) => detector.evaluate({ firstUs: startUs, lastUs: startUs + 41 * secondUs }))
      .filter((alert) => alert.detector === 'http-checkin');
    expect(alerts).toHaveLength(1);
    const alert = alerts[0] as Alert;
    // 25 random token + 10 names + 10 no browsing + 10 small + 15 form + 15 MSIE 7 + 15 * 3/6 repetition.
    expect(alert.score).toBe(93);
    expect(alert.severity).toBe('high');
    expect(alert.title).toBe('Scripted HTTP check-ins from 10.66.0.5 to update.example.net/76N1Lm.php');
    expect(alert.mitreTechnique).toBe('T1071.001');
    expect(alert.hosts).toEqual(['10.66.0.5', '198.18.0.90']);
    expect(alert.firstUs).toBe(startUs);
    expect(alert.lastUs).toBe(startUs + 41 * secondUs);
    expect(alert.evidence.flowUids).toEqual(['Cpost0', 'Cpost1', 'Cpost2']);
    // The flows' first and last packets and the packet of each request line.
    for (const packet of [100, 200, 300]) expect(alert.evidence.packetNumbers).toContain(packet);
    expect(alert.evidence.packetNumbers).toContain(flows[0]?.firstPacketNumber);
    expect(alert.reason).toContain('/76N1Lm.php?n=x4tk7t4jo6, /76N1Lm.php?g=9m822y31lxud7aj');
    expect(alert.reason).toContain('3 distinct query strings, none with a Referer or Cookie');
    expect(alert.subScores?.map((part) => [part.name, part.value, part.weight])).toEqual([
      ['random token', 1, 0.25],
      ['changing parameter names', 1, 0.1],
      ['no browsing context', 1, 0.1],
      ['small bodies', 1, 0.1],
      ['form or raw body', 1, 0.15],
      ['scripted user agent', 1, 0.15],
      ['repetition', 0.5, 0.15],
    ]);
    expect(alert.measurements.find((m) => m.name === 'median request body')?.value).toBe(132);
  });

  it('falls back to the request packets when the flows are not indexed', () => {
    const [alert] = detect(checkins());
    expect(alert?.evidence.flowUids).toEqual(['Cpost0', 'Cpost1', 'Cpost2']);
    expect(alert?.evidence.packetNumbers).toEqual([100, 200, 300]);
  });

  it.each<[string, Partial<HttpObservation>]>([
    ['a Referer (a form in a page)', { hasReferrer: true }],
    ['a Cookie (a site session)', { hasCookie: true }],
    ['an OCSP request', { requestMediaType: 'application/ocsp-request' }],
    ['a DNS-over-HTTPS message', { requestMediaType: 'application/dns-message' }],
    ['an internal server', { server: '10.66.1.80' }],
    ['an external client', { client: '203.0.113.5' }],
  ])('raises nothing for %s', (_name, overrides) => {
    expect(detect(checkins(overrides))).toEqual([]);
  });

  it('raises nothing when one of the POSTs carries a cookie', () => {
    const records = checkins();
    records[2] = { ...(records[2] as HttpObservation), hasCookie: true };
    expect(detect(records)).toEqual([]);
  });

  it('raises nothing for an allow-listed client or Host domain', () => {
    expect(detect(checkins(), { allowList: { hosts: ['10.66.0.5'] } })).toEqual([]);
    expect(detect(checkins(), { allowList: { domains: ['example.net'] } })).toEqual([]);
    expect(detect(checkins(), { allowList: { domains: ['example.org'] } })).toHaveLength(1);
  });

  it('needs three POSTs with distinct queries in the window', () => {
    expect(detect(checkins({}, cryptowallUris.slice(0, 2)))).toEqual([]);
    // The third POST an hour and more after the first falls outside a 3600 s window.
    const late = checkins();
    late[2] = { ...(late[2] as HttpObservation), timestampUs: startUs + 3601 * secondUs };
    expect(detect(late)).toEqual([]);
    expect(detect(late, {}, { httpCheckin: { windowSeconds: 7200 } })).toHaveLength(1);
  });

  it('raises nothing for a JSON telemetry client with a constant URI', () => {
    const telemetry = [0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
      makeHttp({
        uid: `Ctel${i}`,
        timestampUs: startUs + i * 30 * secondUs,
        uri: '/v1/metrics?app=lab&version=2',
        requestMediaType: 'application/json',
        requestBodyBytes: 220,
        userAgent: 'lab-agent/1.4',
      }),
    );
    expect(detect(telemetry)).toEqual([]);
  });

  it('scores a JSON API with a fresh request id below the threshold', () => {
    const ids = [
      '3f2b9c1e-8d4a-4b7e-9f21-0c6d5e4a3b21',
      '9a7c2e4f-1b3d-4e5f-8a6b-7c9d0e1f2a3b',
      '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a',
    ];
    const records = ids.map((id, i) =>
      makeHttp({
        uid: `Capi${i}`,
        timestampUs: startUs + i * 20 * secondUs,
        uri: `/api/events?requestId=${id}`,
        requestMediaType: 'application/json',
        userAgent:
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
      }),
    );
    // Names constant, JSON body, current browser: 10 + 10 + 15 * 0.5 = 27.5, and the UUIDs (hex and dashes) are not random tokens.
    expect(detect(records)).toEqual([]);
    expect(detect(records, {}, { httpCheckin: { alertScore: 27 } })[0]?.score).toBe(28);
  });

  it('counts an earlier page as browsing context', () => {
    const page = makeHttp({ uid: 'Cpage', method: 'GET', uri: '/index.html', timestampUs: startUs - 5 * secondUs });
    const [alert] = detect([...checkins(), page]);
    expect(subScore(alert ?? {}, 'no browsing context')).toBe(0);
    expect(alert?.score).toBe(83);
    expect(alert?.reason).not.toContain('no page fetched');
    // A page fetched after the first POST is no context for it.
    const later = { ...page, timestampUs: startUs + 5 * secondUs };
    expect(subScore(detect([later, ...checkins()])[0] ?? {}, 'no browsing context')).toBe(1);
  });

  it('keeps hosts and paths apart', () => {
    const records = checkins();
    records[1] = { ...(records[1] as HttpObservation), uri: '/other.php?g=9m822y31lxud7aj' };
    expect(detect(records)).toEqual([]);
    records[1] = {
      ...records[1],
      uri: '/76N1Lm.php?g=9m822y31lxud7aj',
      host: 'other.example.net',
    };
    expect(detect(records)).toEqual([]);
  });
});

describe('check-ins with hostile input', () => {
  it.each<[string, string]>([
    ['control characters', '/g\u0000a\u001bte.php'],
    ['non-ASCII text', '/gäte\u2028.php'],
    ['a 5000-character path', `/${'a'.repeat(5000)}.php`],
  ])('keeps the title printable with %s', (_name, path) => {
    const records = checkins().map((record) => ({ ...record, uri: `${path}${(record.uri ?? '').slice(11)}` }));
    const [alert] = detect(records);
    expect(alert?.title).toMatch(/^[\x20-\x7e]+$/);
    expect(alert?.reason).toMatch(/^[\x20-\x7e]+$/);
    expect(alert?.title.length).toBeLessThan(260);
  });

  it('keeps the first 500 POSTs of a key', () => {
    const records = Array.from({ length: 600 }, (_, i) =>
      makeHttp({ uid: `Cmany${i}`, timestampUs: startUs + i * secondUs, uri: `/gate.php?q=${i.toString(36)}x7k${i}` }),
    );
    const [alert] = detect(records);
    expect(alert?.measurements.find((m) => m.name === 'POSTs with distinct queries in window')?.value).toBe(500);
    expect(alert?.lastUs).toBe(startUs + 499 * secondUs);
  });

  it('ignores records without a method or URI', () => {
    expect(detect(checkins({ method: null }))).toEqual([]);
    expect(detect(checkins({ uri: null }))).toEqual([]);
  });
});

describe('check-in sub-scores', () => {
  const three = (overrides: Partial<CheckinPost>[]): CheckinPost[] => overrides.map((override) => post(override));

  it('scores random tokens by share', () => {
    const measures = scoreCheckins(
      three([{ token: 'x4tk7t4jo6' }, { token: 'weather' }, { token: '1764669600123' }]),
      false,
      settings,
    );
    expect(measures.randomTokenShare).toBeCloseTo(1 / 3, 6);
    expect(subScore(measures, 'random token')).toBe(0.333);
  });

  it('scores changing parameter names over consecutive pairs', () => {
    const measures = scoreCheckins(
      three([{ parameterNames: 'a' }, { parameterNames: 'a' }, { parameterNames: 'q' }]),
      false,
      settings,
    );
    expect(measures.changingNameShare).toBe(0.5);
  });

  it('scores body size against smallBodyBytes by the median', () => {
    expect(
      subScore(
        scoreCheckins(three([{ bodyBytes: 0 }, { bodyBytes: 1024 }, { bodyBytes: 9000 }]), false, settings),
        'small bodies',
      ),
    ).toBe(1);
    expect(
      subScore(
        scoreCheckins(three([{ bodyBytes: 2048 }, { bodyBytes: 2048 }, { bodyBytes: 10 }]), false, settings),
        'small bodies',
      ),
    ).toBe(0.5);
  });

  it('scores form, raw and absent bodies, not structured API types', () => {
    const measures = scoreCheckins(
      [
        post({ mediaType: 'application/x-www-form-urlencoded' }),
        post({ mediaType: null }),
        post({ mediaType: 'application/octet-stream' }),
        post({ mediaType: 'application/json' }),
        post({ mediaType: 'multipart/form-data' }),
      ],
      false,
      settings,
    );
    expect(measures.formBodyShare).toBe(0.6);
  });

  it('scores absent and legacy MSIE user agents as scripted', () => {
    const measures = scoreCheckins(
      [
        post({ userAgent: null }),
        post({ userAgent: 'Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)' }),
        post({ userAgent: 'Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0)' }),
        post({ userAgent: 'curl/8.5.0' }),
      ],
      false,
      settings,
    );
    expect(measures.scriptedAgentShare).toBe(0.5);
  });

  it('scores repetition up to fullRepetitionPosts and browsing context as all or nothing', () => {
    expect(subScore(scoreCheckins(three([{}, {}, {}]), false, settings), 'repetition')).toBe(0.5);
    expect(
      subScore(
        scoreCheckins(
          Array.from({ length: 9 }, () => post()),
          true,
          settings,
        ),
        'repetition',
      ),
    ).toBe(1);
    expect(subScore(scoreCheckins(three([{}, {}, {}]), true, settings), 'no browsing context')).toBe(0);
  });
});

describe('check-in tokens', () => {
  it.each<[string, boolean]>([
    ['x4tk7t4jo6', true],
    ['9m822y31lxud7aj', true],
    ['6b787638683333616b6431660f05f2393c1a354ad6e57d98', true],
    ['Zk3Qm9Xa1Lr7', true],
    ['weather', false],
    ['1764669600123', false],
    ['abc12', false],
    ['aaaa1111', false],
    ['3f2b9c1e-8d4a-4b7e-9f21-0c6d5e4a3b21', false],
    ['', false],
  ])('%s is random: %s', (token, expected) => {
    expect(isRandomToken(token, settings)).toBe(expected);
  });

  it.each<[string, { names: string; token: string }]>([
    ['n=x4tk7t4jo6', { names: 'n', token: 'x4tk7t4jo6' }],
    ['b=2&a=long-value', { names: 'a,b', token: 'long-value' }],
    ['x4tk7t4jo6', { names: '', token: 'x4tk7t4jo6' }],
    ['flag&k=v', { names: 'flag,k', token: 'v' }],
    ['', { names: '', token: '' }],
  ])('splits %s', (query, expected) => {
    expect(splitQuery(query)).toEqual(expected);
  });
});

describe('check-in inputs from HTTP bytes', () => {
  function analyze(request: string): HttpObservation {
    const records: HttpRecord[] = [];
    const context: AnalyzerContext = {
      flowUid: 'Cbytes',
      flowEndpoints: {
        originatorAddress: '10.66.0.5',
        originatorPort: 40000,
        responderAddress: '198.18.0.90',
        responderPort: 80,
      },
      emitDns: () => undefined,
      emitHttp: (record) => records.push(record),
      emitDhcpMessage: () => undefined,
      emitWeird: () => undefined,
    };
    const analyzer = new HttpFlowAnalyzer(context);
    analyzer.handleStream(Buffer.from(request, 'latin1'), true, 4, 1_000_000);
    analyzer.handleStream(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', 'latin1'), false, 6, 1_000_500);
    analyzer.finish();
    expect(records).toHaveLength(1);
    return mapHttpRecord(records[0] as HttpRecord);
  }

  it('reads a check-in request', () => {
    const body = 'o=6b787638683333616b6431660f05f239';
    const observation = analyze(
      `POST /76N1Lm.php?n=x4tk7t4jo6 HTTP/1.1\r\nHost: Update.Example.net\r\nUser-Agent: Mozilla/4.0 (compatible; MSIE 7.0)\r\n` +
        `Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(observation).toMatchObject({
      method: 'POST',
      host: 'update.example.net',
      uri: '/76N1Lm.php?n=x4tk7t4jo6',
      hasReferrer: false,
      hasCookie: false,
      requestBodyBytes: 34,
      requestMediaType: 'application/x-www-form-urlencoded',
      packetNumber: 4,
    });
  });

  it('reads the Cookie and Referer of a form post', () => {
    const observation = analyze(
      'POST /comment.php HTTP/1.1\r\nHost: www.example.com\r\nCookie: session=abc\r\nReferer: http://www.example.com/post.html\r\n' +
        'Content-Length: 4\r\n\r\nq=hi',
    );
    expect(observation).toMatchObject({
      hasReferrer: true,
      hasCookie: true,
      requestBodyBytes: 4,
      requestMediaType: null,
    });
  });
});

describe('check-ins through the detection engine', () => {
  it('raises them and honours disabledDetectors', () => {
    for (const [disabled, expected] of [
      [[], 1],
      [['http-checkin'], 0],
    ] as const) {
      const engine = new DetectionEngine(parseDetectionSettings({ disabledDetectors: disabled }));
      for (const record of checkins()) engine.observeRecord(record);
      expect(engine.evaluate().filter((alert) => alert.detector === 'http-checkin')).toHaveLength(expected);
    }
  });
});
