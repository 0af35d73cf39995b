/**
 * What the engine reports about a whole capture: counts, time span, link
 * types and the problems it met. JSON-safe, so it crosses IPC unchanged.
 */

/** One example of a problem, kept so the analyst can find the packet. */
export interface ProblemExample {
  /** 1-based packet number, or null for problems in the file structure between packets. */
  packetNumber: number | null;
  /** Byte offset in the uncompressed capture stream. */
  fileOffset: number;
  message: string;
}

/** Count of one kind of problem with its first few examples. */
export interface ProblemTally {
  code: string;
  count: number;
  examples: ProblemExample[];
}

export interface LinkTypeCount {
  linkType: number;
  /** Short name such as "EN10MB" or "LINUX_SLL2" (libpcap's DLT names). */
  name: string;
  packets: number;
}

export interface CaptureSummary {
  path: string;
  format: 'pcap' | 'pcapng';
  isCompressed: boolean;
  /** Size of the file on disk. */
  fileBytes: number;
  packets: number;
  /** Sum of captured lengths. */
  capturedBytes: number;
  /** Sum of original (wire) lengths. */
  wireBytes: number;
  flows: number;
  /** Timestamps of the earliest and latest packet, microseconds; null for an empty capture. */
  firstUs: number | null;
  lastUs: number | null;
  linkTypes: LinkTypeCount[];
  /** Problems in the file structure (cut-off record, bad block length, ...). */
  fileProblems: ProblemTally[];
  /** Packets that could not be fully decoded, by reason. */
  decodeProblems: ProblemTally[];
  /** True when the analysis was cancelled before the end of the file. */
  isCancelled: boolean;
}
