/**
 * Largest gap, in microseconds, accepted between our timestamp and tcpdump's
 * for a packet the kernel does not stamp once for every socket (TCP carrying
 * a pacing delivery time). Each packet socket then reads the clock when it
 * handles the packet, so the gap grows with CPU load: a few microseconds on
 * an idle machine, 48 seen on a loaded 2-core one. Every other packet must
 * match to the microsecond.
 */
export const SEPARATELY_STAMPED_SKEW_US = 2_000;
