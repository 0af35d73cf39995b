/**
 * Scripted HTTP check-ins: one internal client POSTs again and again to
 * the same external host and path, as a program does and a person in a
 * browser does not. Malware such as CryptoWall checks in this way a few
 * times a minute, far too few times for a beacon score (20 connections),
 * so this detector judges the requests themselves, the way analysts and
 * Suricata/ET check-in rules do.
 *
 * Gates, all required (per client, host and path):
 * - at least `minPosts` POSTs with distinct query strings inside one
 *   `windowSeconds` sliding window, and at least `changingQueryShare` of the
 *   window's POSTs with a query string of their own;
 * - no Referer and no Cookie on any of the POSTs (a browser sends both once
 *   a site has set a cookie or a page contains the form);
 * - no POST with an excluded media type (OCSP, DNS over HTTPS, ...).
 *
 * Sub-scores (weights in `parts`), each 0-1:
 * - random token: share of POSTs whose longest query value looks random
 *   (letters and digits mixed, `minTokenCharacters` long, character entropy
 *   at least `tokenEntropyRatio` of log2 of its length);
 * - changing parameter names: share of consecutive POSTs whose parameter
 *   names differ;
 * - no browsing context: 1 when the client requested nothing but POSTs
 *   from the host before its first POST;
 * - small bodies: 1 when the median request body is at most
 *   `smallBodyBytes`, else that limit over the median;
 * - form or raw body: share of POSTs with a form, text, octet-stream or no
 *   body, not a structured API type (JSON, XML, multipart, ...);
 * - scripted user agent: share of POSTs without a User-Agent or with an
 *   MSIE 8 or older token;
 * - repetition: POSTs in the window over `fullRepetitionPosts`.
 */
import type { Alert } from '../../../../shared/domain/alert';
import { type FlowReference, buildAlert, formatDuration, roundForReading } from '../alert-factory';
import { BoundedMap } from '../bounded-map';
import type { CaptureSpan, DetectorContext } from '../detector';
import type { ProtocolDetectionSettings } from '../protocol-settings';
import { clampUnit, sortNumbers } from '../robust-statistics';
import { findBestWindow } from '../sliding-window';
import { computeCharacterEntropy } from './dns-names';
import type { FlowIndex } from './flow-index';
import type { ProtocolDetector, ProtocolObservation } from './protocol-observation';
import { toPrintable } from './printable';
import { protocolTechniques } from './techniques';

/** One POST as the detector keeps it. */
export interface CheckinPost {
  uid: string;
  timestampUs: number;
  packetNumber: number | null;
  uri: string;
  query: string;
  parameterNames: string;
  token: string;
  bodyBytes: number;
  mediaType: string | null;
  hasReferrer: boolean;
  hasCookie: boolean;
  userAgent: string | null;
  server: string;
}

interface CheckinTarget {
  client: string;
  host: string;
  path: string;
  /** The first `maxPostsPerTarget` POSTs; later ones are not kept. */
  posts: CheckinPost[];
}

export interface CheckinMeasures {
  posts: number;
  distinctQueries: number;
  randomTokenShare: number;
  changingNameShare: number;
  hasBrowsingContext: boolean;
  medianBodyBytes: number;
  formBodyShare: number;
  scriptedAgentShare: number;
  subScores: { name: string; value: number; weight: number }[];
  score: number;
}

/** Media types of bodies a form, a script or a raw channel sends; anything else (JSON, XML, multipart) reads as an API. */
const formOrRawMediaTypes = new Set(['application/x-www-form-urlencoded', 'application/octet-stream', 'text/plain']);
/** "MSIE 2.0" to "MSIE 8.0". Support for Internet Explorer 8 ended in January 2016, and CryptoWall 4 still sent MSIE 7.0 that month. */
const legacyMsiePattern = /\bMSIE [2-8]\.\d/;
const maxPostsPerTarget = 500;

export class HttpCheckinDetector implements ProtocolDetector {
  readonly name = 'http-checkin';
  private readonly targets: BoundedMap<string, CheckinTarget>;
  /** client>host -> earliest request that was not a POST. */
  private readonly pageFetches: BoundedMap<string, { earliestUs: number }>;

  constructor(
    private readonly context: DetectorContext,
    private readonly settings: ProtocolDetectionSettings,
    private readonly flows: FlowIndex,
  ) {
    const maxKeys = context.settings.limits.maxKeysPerDetector;
    this.targets = new BoundedMap(maxKeys);
    this.pageFetches = new BoundedMap(maxKeys);
  }

  get evictions(): number {
    return this.targets.evictions + this.pageFetches.evictions;
  }

  observeRecord(record: ProtocolObservation): void {
    if (record.kind !== 'http' || record.method === null || record.uri === null) return;
    const { scope } = this.context;
    if (!scope.isInternal(record.client) || scope.isInternal(record.server)) return;

    const host = record.host ?? record.server;
    if (record.method !== 'POST') {
      const fetch = this.pageFetches.getOrCreate(`${record.client}>${host}`, () => ({
        earliestUs: record.timestampUs,
      }));
      fetch.earliestUs = Math.min(fetch.earliestUs, record.timestampUs);
      return;
    }

    const queryStart = record.uri.indexOf('?');
    const path = queryStart < 0 ? record.uri : record.uri.slice(0, queryStart);
    const query = queryStart < 0 ? '' : record.uri.slice(queryStart + 1);
    const key = `${record.client}>${host}${path}`;
    const target = this.targets.getOrCreate(key, () => ({
      client: record.client,
      host,
      path,
      posts: [],
    }));
    if (target.posts.length >= maxPostsPerTarget) return;

    const { names, token } = splitQuery(query);
    target.posts.push({
      uid: record.uid,
      timestampUs: record.timestampUs,
      packetNumber: record.packetNumber,
      uri: record.uri,
      query,
      parameterNames: names,
      token,
      bodyBytes: record.requestBodyBytes,
      mediaType: record.requestMediaType,
      hasReferrer: record.hasReferrer,
      // NOTE: a source without the field (null) counts as no cookie. The HTTP analyzer always sets it.
      hasCookie: record.hasCookie === true,
      userAgent: record.userAgent,
      server: record.server,
    });
  }

  evaluate(_span: CaptureSpan): Alert[] {
    const alerts: Alert[] = [];
    for (const [key, target] of this.targets) {
      const alert = this.judge(key, target);
      if (alert !== null) alerts.push(alert);
    }
    return alerts;
  }

  private judge(key: string, target: CheckinTarget): Alert | null {
    const settings = this.settings.httpCheckin;
    const { scope } = this.context;
    if (target.posts.length < settings.minPosts || scope.isHostAllowed(target.client)) return null;
    // The engine learns names from DNS and TLS only, so apply a domain allow-list to the Host header here.
    if (scope.isNameAllowed(target.host)) return null;
    if (target.posts.some((post) => post.hasReferrer || post.hasCookie)) return null;
    const excluded = new Set(settings.excludedMediaTypes.map((type) => type.toLowerCase()));
    if (target.posts.some((post) => post.mediaType !== null && excluded.has(post.mediaType))) return null;

    const posts = [...target.posts].sort((a, b) => a.timestampUs - b.timestampUs);
    const best = findBestWindow(
      posts.map((post) => ({ timeUs: post.timestampUs, target: post.query })),
      settings.windowSeconds * 1_000_000,
    );
    const window = posts.slice(best.from, best.to + 1);
    if (best.distinct < settings.minPosts || best.distinct / window.length < settings.changingQueryShare) return null;

    const earliestPage = this.pageFetches.get(`${target.client}>${target.host}`)?.earliestUs;
    const first = window[0] as CheckinPost;
    const last = window[window.length - 1] as CheckinPost;
    const measures = scoreCheckins(window, earliestPage !== undefined && earliestPage < first.timestampUs, settings);
    if (measures.score < settings.alertScore) return null;

    const flows = this.flows.collect(window.map((post) => post.uid));
    const evidence: FlowReference[] =
      flows.length > 0
        ? flows
        : window.map((post) => ({
            uid: post.uid,
            startUs: post.timestampUs,
            firstPacketNumber: post.packetNumber ?? 0,
            lastPacketNumber: post.packetNumber ?? 0,
          }));
    const servers = [...new Set(window.map((post) => post.server))].sort();
    const where = `${toPrintable(target.host)}${toPrintable(target.path, 80)}`;
    const uris = window
      .slice(0, 3)
      .map((post) => toPrintable(post.uri, 80))
      .join(', ');
    const agent = window.find((post) => post.userAgent !== null)?.userAgent ?? null;
    const reason =
      `${target.client} sent ${window.length} POSTs to ${where} over ${formatDuration(last.timestampUs - first.timestampUs)} ` +
      `(${uris}${window.length > 3 ? ', ...' : ''}), ${measures.distinctQueries} distinct query strings, none with a Referer or Cookie` +
      `${measures.hasBrowsingContext ? '' : ', and no page fetched from the host before'}. ` +
      `Random query values in ${Math.round(measures.randomTokenShare * 100)}% of them, parameter names changing in ${Math.round(measures.changingNameShare * 100)}%; ` +
      `median body ${measures.medianBodyBytes} B; user agent ${agent === null ? 'absent' : `"${toPrintable(agent, 80)}"`}. ` +
      `Score ${Math.round(measures.score)}, alert threshold ${settings.alertScore}.`;
    return buildAlert(
      {
        detector: this.name,
        key,
        score: measures.score,
        maxSeverity: 'high',
        title: `Scripted HTTP check-ins from ${target.client} to ${where}`,
        reason,
        measurements: [
          { name: 'check-in score', value: measures.score, threshold: settings.alertScore, unit: 'points' },
          {
            name: 'POSTs with distinct queries in window',
            value: best.distinct,
            threshold: settings.minPosts,
            unit: 'requests',
          },
          {
            name: 'share of POSTs with a random query value',
            value: measures.randomTokenShare,
            threshold: 1,
            unit: 'fraction',
          },
          {
            name: 'median request body',
            value: measures.medianBodyBytes,
            threshold: settings.smallBodyBytes,
            unit: 'bytes',
          },
        ],
        technique: protocolTechniques.webProtocols,
        firstUs: first.timestampUs,
        lastUs: last.timestampUs,
        hosts: [target.client, ...servers],
        flows: evidence,
        packetNumbers: window.flatMap((post) => (post.packetNumber === null ? [] : [post.packetNumber])),
        subScores: measures.subScores,
      },
      this.context.settings.limits.maxEvidence,
    );
  }
}

/** Score the POSTs of one window (sorted by time); `hasBrowsingContext` when the client fetched a page from the host first. */
export function scoreCheckins(
  posts: readonly CheckinPost[],
  hasBrowsingContext: boolean,
  settings: ProtocolDetectionSettings['httpCheckin'],
): CheckinMeasures {
  const count = posts.length;
  const share = (test: (post: CheckinPost) => boolean): number => (count === 0 ? 0 : posts.filter(test).length / count);
  const randomTokenShare = share((post) => isRandomToken(post.token, settings));
  let changedNames = 0;
  for (let i = 1; i < count; i++) {
    if ((posts[i] as CheckinPost).parameterNames !== (posts[i - 1] as CheckinPost).parameterNames) changedNames++;
  }
  const changingNameShare = count < 2 ? 0 : changedNames / (count - 1);

  const bodies = sortNumbers(posts.map((post) => post.bodyBytes));
  const medianBodyBytes = bodies.length === 0 ? 0 : (bodies[Math.floor((bodies.length - 1) / 2)] as number);
  const formBodyShare = share((post) => post.mediaType === null || formOrRawMediaTypes.has(post.mediaType));
  const scriptedAgentShare = share(
    (post) => post.userAgent === null || post.userAgent.trim() === '' || legacyMsiePattern.test(post.userAgent),
  );

  const parts: [string, number, number][] = [
    ['random token', randomTokenShare, 0.25],
    ['changing parameter names', changingNameShare, 0.1],
    ['no browsing context', hasBrowsingContext ? 0 : 1, 0.1],
    ['small bodies', medianBodyBytes <= settings.smallBodyBytes ? 1 : settings.smallBodyBytes / medianBodyBytes, 0.1],
    ['form or raw body', formBodyShare, 0.15],
    ['scripted user agent', scriptedAgentShare, 0.15],
    ['repetition', clampUnit(count / settings.fullRepetitionPosts), 0.15],
  ];
  const subScores = parts.map(([name, value, weight]) => ({ name, value: roundForReading(value), weight }));
  const score = 100 * parts.reduce((sum, [, value, weight]) => sum + value * weight, 0);
  return {
    posts: count,
    distinctQueries: new Set(posts.map((post) => post.query)).size,
    randomTokenShare,
    changingNameShare,
    hasBrowsingContext,
    medianBodyBytes,
    formBodyShare,
    scriptedAgentShare,
    subScores,
    score,
  };
}

/**
 * Parameter names of a query (sorted, comma-joined) and its longest value,
 * or the whole query when it has no "name=value" pairs.
 */
export function splitQuery(query: string): { names: string; token: string } {
  if (query === '') return { names: '', token: '' };
  const names: string[] = [];
  let token = '';
  let hasPairs = false;
  for (const pair of query.split('&')) {
    const equals = pair.indexOf('=');
    if (equals < 0) {
      names.push(pair);
      continue;
    }
    hasPairs = true;
    names.push(pair.slice(0, equals));
    const value = pair.slice(equals + 1);
    if (value.length > token.length) token = value;
  }
  if (!hasPairs) return { names: '', token: query };
  return { names: names.sort().join(','), token };
}

/**
 * True when `token` looks machine-made: long enough, letters and digits
 * mixed (words have no digits, counters and timestamps no letters), and
 * few repeated characters (entropy near log2 of its length).
 */
export function isRandomToken(token: string, settings: ProtocolDetectionSettings['httpCheckin']): boolean {
  if (token.length < settings.minTokenCharacters) return false;
  if (!/[a-z]/i.test(token) || !/\d/.test(token)) return false;
  const maximum = Math.log2(Math.min(token.length, estimateAlphabet(token)));
  return computeCharacterEntropy(token) / maximum >= settings.tokenEntropyRatio;
}

/** Size of the smallest usual alphabet holding every character: hex 16, lower-case base36 36, letters and digits 62, else 64 (base64). */
function estimateAlphabet(token: string): number {
  if (/^[0-9a-f]+$/i.test(token) && (token === token.toLowerCase() || token === token.toUpperCase())) return 16;
  if (/^[0-9a-z]+$/.test(token) || /^[0-9A-Z]+$/.test(token)) return 36;
  if (/^[0-9A-Za-z]+$/.test(token)) return 62;
  return 64;
}
