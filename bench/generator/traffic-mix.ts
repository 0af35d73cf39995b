/**
 * Interleaves conversations into one capture: a fixed number of
 * conversations are open at once, each step picks one at random, advances
 * the clock by a random gap and lets it emit its next frame, and a finished
 * conversation is replaced by a new one drawn from the variant's weights.
 */
import { CaptureWriter, PCAP_FILE_HEADER_BYTES, PCAP_RECORD_HEADER_BYTES, type GeneratedCaptureFormat } from './capture-writer';
import { CONVERSATION_FACTORIES, CONVERSATION_KINDS, type Conversation, type ConversationContext, type ConversationKind } from './conversations';
import { FrameBuilder } from './frame-builder';
import { HostDirectory } from './host-directory';
import { SeededRandom } from './prng';

export const CAPTURE_VARIANTS = ['mix', 'flow-heavy'] as const;
export type CaptureVariant = (typeof CAPTURE_VARIANTS)[number];

interface VariantProfile {
  /** Relative weight of each conversation kind when a new one starts. */
  weights: Record<ConversationKind, number>;
  openConversations: number;
  /** Mean gap between frames in microseconds. */
  meanGapUs: number;
  ipv6Share: number;
  drawResponseBytes(random: SeededRandom): number;
}

/** Web response sizes: half small, a third medium, a few large downloads. */
function drawMixResponseBytes(random: SeededRandom): number {
  const draw = random.nextFloat();
  if (draw < 0.5) return random.nextIntBetween(300, 8_000);
  if (draw < 0.85) return random.nextIntBetween(8_000, 100_000);
  if (draw < 0.98) return random.nextIntBetween(100_000, 1_000_000);
  return random.nextIntBetween(1_000_000, 8_000_000);
}

const VARIANT_PROFILES: Record<CaptureVariant, VariantProfile> = {
  mix: {
    weights: { https: 45, http: 15, dns: 20, refused: 7, unanswered: 7, 'icmp-echo': 6 },
    openConversations: 256,
    meanGapUs: 40,
    ipv6Share: 0.15,
    drawResponseBytes: drawMixResponseBytes,
  },
  'flow-heavy': {
    weights: { https: 14, http: 6, dns: 50, refused: 12, unanswered: 12, 'icmp-echo': 6 },
    openConversations: 1024,
    meanGapUs: 15,
    ipv6Share: 0.15,
    drawResponseBytes: (random) => random.nextIntBetween(200, 12_000),
  },
};

/** 2024-03-04T09:00:00Z; the first frame follows it by one gap. */
const START_US = 1_709_542_800_000_000;
const PAYLOAD_POOL_BYTES = 1024 * 1024;

export interface GenerateOptions {
  path: string;
  seed: number;
  /** Target size of the capture as pcap, in bytes; the pcapng form of the same packets is slightly larger. */
  sizeBytes: number;
  variant: CaptureVariant;
  format: GeneratedCaptureFormat;
}

export interface GenerationSummary {
  packets: number;
  /** Size of the written file. */
  fileBytes: number;
  firstTimestampUs: number;
  lastTimestampUs: number;
  /** Conversations started, by kind (the last ones may be cut short by the size limit). */
  conversationsByKind: Record<ConversationKind, number>;
}

/**
 * Writes a capture of `sizeBytes` (measured as pcap, so both formats hold
 * the same packets) and returns what it wrote. The same options give the
 * same bytes on every run.
 */
export function generateCapture(options: GenerateOptions): GenerationSummary {
  const profile = VARIANT_PROFILES[options.variant];
  const random = new SeededRandom(options.seed);
  const payloadPool = new Uint8Array(PAYLOAD_POOL_BYTES);
  random.fillBytes(payloadPool);
  const writer = new CaptureWriter(options.path, options.format);

  // Both formats stop after the same packet: the size is counted as pcap record bytes.
  let pcapBytes = PCAP_FILE_HEADER_BYTES;
  let clockUs = START_US;
  let firstTimestampUs = -1;
  let lastTimestampUs = -1;
  const context: ConversationContext = {
    random,
    frame: new FrameBuilder(),
    hosts: new HostDirectory(random),
    payloadPool,
    ipv6Share: profile.ipv6Share,
    drawResponseBytes: () => profile.drawResponseBytes(random),
    emit(frameLength) {
      writer.writePacket(clockUs, context.frame.bytes, frameLength);
      if (firstTimestampUs < 0) firstTimestampUs = clockUs;
      lastTimestampUs = clockUs;
      pcapBytes += PCAP_RECORD_HEADER_BYTES + frameLength;
    },
  };

  const conversationsByKind = Object.fromEntries(CONVERSATION_KINDS.map((kind) => [kind, 0])) as Record<ConversationKind, number>;
  const totalWeight = CONVERSATION_KINDS.reduce((sum, kind) => sum + profile.weights[kind], 0);
  const startConversation = (): Conversation => {
    let draw = random.nextFloat() * totalWeight;
    let kind: ConversationKind = CONVERSATION_KINDS[0];
    for (const candidate of CONVERSATION_KINDS) {
      kind = candidate;
      draw -= profile.weights[candidate];
      if (draw < 0) break;
    }
    conversationsByKind[kind]++;
    return CONVERSATION_FACTORIES[kind](context);
  };

  const open: Conversation[] = [];
  for (let i = 0; i < profile.openConversations; i++) open.push(startConversation());

  // Exponential gaps of at least 1 us keep timestamps strictly increasing.
  while (pcapBytes < options.sizeBytes) {
    const index = random.nextInt(open.length);
    clockUs += 1 + Math.floor(-Math.log(1 - random.nextFloat()) * profile.meanGapUs);
    if (open[index]!.next().done === true) open[index] = startConversation();
  }
  writer.close();

  return {
    packets: writer.packetsWritten,
    fileBytes: writer.bytesWritten,
    firstTimestampUs,
    lastTimestampUs,
    conversationsByKind,
  };
}
