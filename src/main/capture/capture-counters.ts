/** Counters of a running capture and their rates, as the picker, status bar and command line show them. */

export interface CaptureCounters {
  /** Packets delivered by libpcap to Tideline (each is written to the file). */
  packets: number;
  /** Sum of original (wire) lengths of those packets. */
  bytes: number;
  /** libpcap ps_recv: on Linux, packets that passed the filter, drops included. */
  libpcapReceived: number;
  /** libpcap ps_drop: dropped because the kernel buffer was full. */
  droppedByKernel: number;
  /** libpcap ps_ifdrop: dropped by the interface or its driver. */
  droppedByInterface: number;
  packetsPerSecond: number;
  bitsPerSecond: number;
  /** Packets written to the pcapng files; equals `packets` except after a disk-full stop. */
  packetsWritten: number;
  /** Packets not fed to the flow table because analysis was paused. */
  packetsNotAnalyzed: number;
  elapsedMs: number;
}

/** Window over which packets/s and bits/s are averaged. */
const RATE_WINDOW_MS = 1_000;

/** Packet and byte totals with rates over the last second of wall time. */
export class RateMeter {
  private readonly samples: { atMs: number; packets: number; bytes: number }[] = [];

  /** Record the running totals at `atMs` and return the rates over the last window. */
  sample(atMs: number, packets: number, bytes: number): { packetsPerSecond: number; bitsPerSecond: number } {
    this.samples.push({ atMs, packets, bytes });
    while (this.samples.length > 2 && (this.samples[1]?.atMs ?? atMs) <= atMs - RATE_WINDOW_MS) this.samples.shift();
    const oldest = this.samples[0];
    if (oldest === undefined || atMs <= oldest.atMs) return { packetsPerSecond: 0, bitsPerSecond: 0 };
    const seconds = (atMs - oldest.atMs) / 1000;
    return {
      packetsPerSecond: (packets - oldest.packets) / seconds,
      bitsPerSecond: ((bytes - oldest.bytes) * 8) / seconds,
    };
  }
}
