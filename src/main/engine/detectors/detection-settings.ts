/**
 * Thresholds, internal networks and allow-lists of the behavioural
 * detectors. A settings file is JSON checked by `detectionSettingsSchema`;
 * every field is optional and falls back to the default below. The source of
 * each default is given in docs/detections.md.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const positive = z.number().positive();
const count = z.number().int().positive();
const fraction = z.number().min(0).max(1);
const port = z.number().int().min(0).max(65535);

const beaconSchema = z.strictObject({
  /** Pairs with fewer connections are not scored (RITA skips small sets too). */
  minConnections: count.default(20),
  /** Interval MAD at which the MAD score reaches 0 (RITA: 30 s). */
  intervalMadCutoffSeconds: positive.default(30),
  /** Bytes MAD at which the size MAD score reaches 0 (RITA: 32 bytes). */
  sizeMadCutoffBytes: positive.default(32),
  /** Size at which the smallness score reaches 0 (RITA: 65535 bytes). */
  smallnessCutoffBytes: positive.default(65535),
  /** The capture is cut into this many bins for the spread score. */
  timeBins: count.default(24),
  /** Connections per second over the capture above which the pair is a strobe (believed to be RITA's 86400 a day, that is 1/s). */
  strobeConnectionsPerSecond: positive.default(1),
  /** Strobes need at least this many connections. */
  strobeMinConnections: count.default(1000),
  /** Score (0-100) from which a beacon alert is raised. */
  alertScore: z.number().min(0).max(100).default(70),
});

const rareSchema = z.strictObject({
  /** An external destination reached by at most this many internal hosts is rare... */
  maxInternalHosts: count.default(1),
  /** ...when at least this many internal hosts were active. */
  minActiveInternalHosts: count.default(5),
  /** Destinations first seen after this share of the capture count as late. */
  lateFraction: fraction.default(0.5),
});

const outboundSchema = z.strictObject({
  /** Bytes sent from one internal host to one external host over the capture. */
  largeUploadBytes: count.default(100 * 1024 * 1024),
  /** Width of the bins used for upload bursts and the producer/consumer ratio. */
  burstBinSeconds: positive.default(60),
  /** Bytes an internal host sends to external hosts in one bin to count as a burst. */
  burstBytes: count.default(20 * 1024 * 1024),
  /** Producer/consumer ratio (sent-received)/(sent+received) a burst bin must reach. */
  burstRatio: z.number().min(-1).max(1).default(0.8),
  /** The host's ratio over the rest of the capture must stay below this for a swing. */
  baselineRatio: z.number().min(-1).max(1).default(0),
});

const scanSchema = z.strictObject({
  /** Zeek policy/misc/scan.zeek Scan::port_scan_threshold. */
  portScanPorts: count.default(15),
  /** Zeek policy/misc/scan.zeek Scan::addr_scan_threshold. */
  addressScanHosts: count.default(25),
  /** Zeek Scan::port_scan_interval and addr_scan_interval. */
  windowSeconds: positive.default(300),
});

const bruteForceSchema = z.strictObject({
  /** Zeek policy/protocols/ssh/detect-bruteforcing.zeek SSH::password_guesses_limit. */
  sessions: count.default(30),
  /** Zeek SSH::guessing_timeout. */
  windowSeconds: positive.default(1800),
  /** A session is short when it lasts at most this long... */
  maxSessionSeconds: positive.default(30),
  /** ...and the service sends at most this many bytes. */
  maxResponderBytes: count.default(16 * 1024),
  /** Services that take passwords. */
  ports: z
    .array(port)
    .default([21, 22, 23, 25, 110, 143, 389, 445, 587, 993, 995, 1433, 3306, 3389, 5432, 5900, 5985, 5986]),
});

const floodSchema = z.strictObject({
  /** Window over which the rate is averaged. */
  windowSeconds: positive.default(10),
  synPerSecond: positive.default(100),
  icmpPerSecond: positive.default(100),
  udpPerSecond: positive.default(500),
  /** Share of attempts left unanswered (TCP: no established session) for a flood. */
  unansweredRatio: fraction.default(0.5),
});

const lateralSchema = z.strictObject({
  ports: z.array(port).default([22, 135, 139, 445, 3389, 5985, 5986]),
  /** New internal destinations on admin ports within the window. */
  newHosts: count.default(3),
  windowSeconds: positive.default(600),
});

const rogueSchema = z.strictObject({
  /** Servers whose DHCP offers are expected (IPv4 text). */
  knownDhcpServers: z.array(z.string()).default([]),
});

const offHoursSchema = z.strictObject({
  /** IANA time zone of the business hours ("UTC", "Europe/Paris"). */
  timeZone: z.string().default('UTC'),
  /** First business hour (inclusive) and end hour (exclusive), 0-24. */
  startHour: z.number().int().min(0).max(23).default(8),
  endHour: z.number().int().min(1).max(24).default(18),
  /** Business days, 0 = Sunday. */
  days: z.array(z.number().int().min(0).max(6)).default([1, 2, 3, 4, 5]),
  /** Encrypted bytes per off-hours hour must exceed this multiple of the host's business-hours hourly median... */
  volumeMultiplier: positive.default(3),
  /** ...and this many bytes per hour. */
  minBytesPerHour: count.default(10 * 1024 * 1024),
  /** Ports counted as encrypted when no analyzer named the service. */
  encryptedPorts: z.array(port).default([22, 443, 465, 853, 993, 995, 8443]),
  /** Internal sessions started off hours, per source, before an alert. */
  minInternalSessions: count.default(1),
});

const longConnectionSchema = z.strictObject({
  /** RITA's long-connection base threshold: one hour. */
  minSeconds: positive.default(3600),
  /** Duration at which the score reaches 100. */
  fullScoreSeconds: positive.default(12 * 3600),
});

const allowListSchema = z.strictObject({
  hosts: z.array(z.string()).default([]),
  networks: z.array(z.string()).default([]),
  /** Domain suffixes; match names learned from DNS answers or TLS SNI. */
  domains: z.array(z.string()).default([]),
  /** "a b" host pairs, either direction. */
  pairs: z.array(z.tuple([z.string(), z.string()])).default([]),
});

const limitsSchema = z.strictObject({
  /** Tracked keys (pairs, hosts) per detector before the oldest is evicted. */
  maxKeysPerDetector: count.default(100_000),
  /** Timestamps kept per beacon pair. */
  maxSamplesPerPair: count.default(5_000),
  /** Flow uids and packet numbers kept per alert. */
  maxEvidence: count.default(500),
});

export const detectionSettingsSchema = z.strictObject({
  /** Internal (local) networks in CIDR; default the private and special ranges. */
  internalNetworks: z
    .array(z.string())
    .default([
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      '100.64.0.0/10',
      '169.254.0.0/16',
      'fc00::/7',
      'fe80::/10',
    ]),
  /** Opening period: devices and destinations first seen after it are "new". */
  openingPeriodSeconds: positive.default(300),
  /** ...but never more than this share of the capture. */
  openingPeriodMaxFraction: fraction.default(0.25),
  disabledDetectors: z.array(z.string()).default([]),
  allowList: allowListSchema.default(allowListSchema.parse({})),
  beacon: beaconSchema.default(beaconSchema.parse({})),
  rareDestination: rareSchema.default(rareSchema.parse({})),
  outbound: outboundSchema.default(outboundSchema.parse({})),
  scan: scanSchema.default(scanSchema.parse({})),
  bruteForce: bruteForceSchema.default(bruteForceSchema.parse({})),
  flood: floodSchema.default(floodSchema.parse({})),
  lateralMovement: lateralSchema.default(lateralSchema.parse({})),
  rogueDevice: rogueSchema.default(rogueSchema.parse({})),
  offHours: offHoursSchema.default(offHoursSchema.parse({})),
  longConnection: longConnectionSchema.default(longConnectionSchema.parse({})),
  limits: limitsSchema.default(limitsSchema.parse({})),
});

export type DetectionSettings = z.infer<typeof detectionSettingsSchema>;
export type DetectionSettingsInput = z.input<typeof detectionSettingsSchema>;

export const defaultDetectionSettings: DetectionSettings = detectionSettingsSchema.parse({});

/** Settings from partial input; throws a zod error naming the bad field. */
export function parseDetectionSettings(input: unknown): DetectionSettings {
  return detectionSettingsSchema.parse(input);
}

/**
 * Read a settings file. Returns the settings; throws an Error naming the
 * file and the first bad field when the JSON is invalid.
 */
export async function loadDetectionSettings(path: string): Promise<DetectionSettings> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`detection settings ${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const result = detectionSettingsSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue === undefined ? '' : issue.path.join('.');
    throw new Error(`detection settings ${path}: field "${field}": ${issue?.message ?? 'invalid'}`, {
      cause: result.error,
    });
  }
  return result.data;
}
