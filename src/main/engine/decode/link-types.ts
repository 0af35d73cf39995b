/**
 * LINKTYPE_* values as they appear in pcap and pcapng headers, with the
 * libpcap DLT_* name of each (without the prefix), as tcpdump and capinfos
 * print them.
 */
export const LINK_TYPE_NAMES = {
  0: 'NULL',
  1: 'EN10MB',
  3: 'AX25',
  6: 'IEEE802',
  7: 'ARCNET_BSD',
  8: 'SLIP',
  9: 'PPP',
  10: 'FDDI',
  12: 'RAW',
  14: 'RAW',
  50: 'PPP_SERIAL',
  51: 'PPP_ETHER',
  100: 'ATM_RFC1483',
  101: 'RAW',
  104: 'C_HDLC',
  105: 'IEEE802_11',
  107: 'FRELAY',
  108: 'LOOP',
  113: 'LINUX_SLL',
  114: 'LTALK',
  117: 'PFLOG',
  119: 'PRISM_HEADER',
  122: 'IP_OVER_FC',
  123: 'SUNATM',
  127: 'IEEE802_11_RADIO',
  129: 'ARCNET_LINUX',
  138: 'APPLE_IP_OVER_IEEE1394',
  139: 'MTP2_WITH_PHDR',
  140: 'MTP2',
  141: 'MTP3',
  142: 'SCCP',
  143: 'DOCSIS',
  144: 'LINUX_IRDA',
  147: 'USER0',
  163: 'IEEE802_11_RADIO_AVS',
  165: 'BACNET_MS_TP',
  166: 'PPP_PPPD',
  169: 'GPRS_LLC',
  177: 'LINUX_LAPD',
  187: 'BLUETOOTH_HCI_H4',
  189: 'USB_LINUX',
  192: 'PPI',
  195: 'IEEE802_15_4_WITHFCS',
  201: 'BLUETOOTH_HCI_H4_WITH_PHDR',
  204: 'PPP_WITH_DIR',
  209: 'IPMB_LINUX',
  215: 'IEEE802_15_4_NONASK_PHY',
  220: 'USB_LINUX_MMAPPED',
  224: 'FC_2',
  226: 'IPNET',
  227: 'CAN_SOCKETCAN',
  228: 'IPV4',
  229: 'IPV6',
  230: 'IEEE802_15_4_NOFCS',
  231: 'DBUS',
  235: 'DVB_CI',
  239: 'NFLOG',
  240: 'NETANALYZER',
  241: 'NETANALYZER_TRANSPARENT',
  242: 'IPOIB',
  243: 'MPEG_2_TS',
  248: 'SCTP',
  249: 'USBPCAP',
  251: 'BLUETOOTH_LE_LL',
  252: 'WIRESHARK_UPPER_PDU',
  253: 'NETLINK',
  254: 'BLUETOOTH_LINUX_MONITOR',
  256: 'BLUETOOTH_LE_LL_WITH_PHDR',
  276: 'LINUX_SLL2',
} as const;

/** Mask of the link type in the pcap header's link-type field. The upper bits carry FCS information. */
export const LINK_TYPE_MASK = 0x0000ffff;

/**
 * Return the libpcap DLT name of a LINKTYPE value (`1` -> `"EN10MB"`), or
 * `"LINKTYPE_<n>"` for a value this table does not list. FCS bits above the
 * low 16 bits are ignored.
 */
export function getLinkTypeName(linkType: number): string {
  const value = linkType & LINK_TYPE_MASK;
  const name = (LINK_TYPE_NAMES as Record<number, string | undefined>)[value];
  return name ?? `LINKTYPE_${value}`;
}
