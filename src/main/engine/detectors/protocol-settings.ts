/**
 * Thresholds of the protocol-aware detectors (src/main/engine/detectors/protocol/).
 * Like detection-settings.ts, every field is optional and falls back to the
 * default below; docs/detections-protocol.md gives the source of each
 * default. Named beacons reuse the `beacon` settings and the off-hours
 * detector by name reuses the `offHours` settings of DetectionSettings.
 */
import { z } from 'zod';

const positive = z.number().positive();
const count = z.number().int().positive();
const fraction = z.number().min(0).max(1);
const port = z.number().int().min(0).max(65535);

const dnsTunnelSchema = z.strictObject({
  /** Queries per client and registered domain are counted in tumbling windows of this length. */
  windowSeconds: positive.default(3600),
  /** A client and domain with fewer queries over the capture is not judged. */
  minQueries: count.default(20),
  /** Distinct names under one registered domain from one client in one window. */
  uniqueSubdomains: count.default(50),
  /** A label at least this long counts as long (RFC 1035 allows 63). */
  longLabelCharacters: count.default(40),
  /** Share of queries with a long label. */
  longLabelShare: fraction.default(0.5),
  /** Mean Shannon entropy of the subdomain part, bits per character... */
  subdomainEntropyBitsPerCharacter: positive.default(3.8),
  /** ...measured only on subdomain parts at least this long (a short string cannot reach it). */
  minEntropyCharacters: count.default(16),
  /** Share of queries for TXT (16), NULL (10) or CNAME (5) records. */
  unusualTypeShare: fraction.default(0.5),
  /** Mean DNS payload bytes per response packet of the client's DNS flows. */
  largeMessageBytes: count.default(544),
  /** 0-100 score from which an alert is raised. */
  alertScore: z.number().min(0).max(100).default(50),
});

const icmpTunnelSchema = z.strictObject({
  /** Echo messages a pair needs before it is judged. */
  minEchoMessages: count.default(4),
  /** Largest echo payload above this is large (Linux ping sends 56 bytes, Windows 32). */
  largePayloadBytes: count.default(512),
  /** Highest payload entropy above this looks random, bits per byte. */
  highEntropyBitsPerByte: positive.default(6.5),
  /** Largest payload minus the mean payload above this means the sizes vary. */
  sizeSpreadBytes: count.default(64),
  /** Echo payload bytes of a pair above this count as volume. */
  volumeBytes: count.default(64 * 1024),
});

const unusualPortSchema = z.strictObject({
  /** Well-known ports on which an unrecognised protocol with data both ways is reported. */
  wellKnownPorts: z.array(port).default([21, 22, 25, 53, 80, 110, 143, 443, 465, 587, 993, 995]),
  /** Bytes each way an unrecognised flow needs before it counts. */
  minUnrecognisedBytes: count.default(1024),
});

const smbSchema = z.strictObject({
  /** Window for share enumeration counts. */
  windowSeconds: positive.default(600),
  /** Distinct shares (server and share) one client connects to in the window. */
  distinctShares: count.default(10),
  /** Distinct servers whose shares one client connects to in the window. */
  distinctServers: count.default(5),
});

const tlsSchema = z.strictObject({
  /** A JA3 or JA4 used by at most this many internal hosts is rare... */
  rareFingerprintMaxHosts: count.default(1),
  /** ...when at least this many internal hosts used TLS in the capture. */
  rareFingerprintMinHosts: count.default(5),
  /** Report a ClientHello without SNI to an external server. */
  reportMissingServerName: z.boolean().default(true),
});

const httpCheckinSchema = z.strictObject({
  /** POSTs from one client to one host and path are counted in a sliding window of this length. */
  windowSeconds: positive.default(3600),
  /** POSTs with distinct query strings needed in one window. */
  minPosts: count.default(3),
  /** Share of the window's POSTs whose query string differs from every other one. */
  changingQueryShare: fraction.default(0.9),
  /** A query value shorter than this is not judged random. */
  minTokenCharacters: count.default(6),
  /** Character entropy over its maximum (log2 of the length or of the alphabet, whichever is smaller) that a random token reaches. */
  tokenEntropyRatio: fraction.default(0.8),
  /** Median request body at or below this is small (sub-score 1); above, the sub-score falls as size/this. */
  smallBodyBytes: count.default(1024),
  /** POSTs in the window at which the repetition sub-score reaches 1. */
  fullRepetitionPosts: count.default(6),
  /** Request media types that are never check-ins (OCSP, DNS over HTTPS, certificate requests). */
  excludedMediaTypes: z
    .array(z.string())
    .default(['application/ocsp-request', 'application/dns-message', 'application/pkcs10', 'application/pkix-crl']),
  /** 0-100 score from which an alert is raised. */
  alertScore: z.number().min(0).max(100).default(65),
});

const limitsSchema = z.strictObject({
  /** Flows remembered by uid to attach packet numbers and bytes to records. */
  maxIndexedFlows: count.default(200_000),
  /** Names, subdomains or uids kept per key. */
  maxItemsPerKey: count.default(2_000),
});

export const protocolDetectionSettingsSchema = z.strictObject({
  dnsTunnel: dnsTunnelSchema.default(dnsTunnelSchema.parse({})),
  icmpTunnel: icmpTunnelSchema.default(icmpTunnelSchema.parse({})),
  unusualPort: unusualPortSchema.default(unusualPortSchema.parse({})),
  smb: smbSchema.default(smbSchema.parse({})),
  tls: tlsSchema.default(tlsSchema.parse({})),
  httpCheckin: httpCheckinSchema.default(httpCheckinSchema.parse({})),
  limits: limitsSchema.default(limitsSchema.parse({})),
});

export type ProtocolDetectionSettings = z.infer<typeof protocolDetectionSettingsSchema>;
export type ProtocolDetectionSettingsInput = z.input<typeof protocolDetectionSettingsSchema>;

export const defaultProtocolDetectionSettings: ProtocolDetectionSettings = protocolDetectionSettingsSchema.parse({});

/** Settings from partial input; throws a zod error naming the bad field. */
export function parseProtocolDetectionSettings(input: unknown): ProtocolDetectionSettings {
  return protocolDetectionSettingsSchema.parse(input);
}
