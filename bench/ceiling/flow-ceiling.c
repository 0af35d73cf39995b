/*
 * flow-ceiling: the practical speed ceiling for assembling flows from a capture.
 *
 * Reads a pcap or pcapng file with libpcap. Decodes Ethernet, 802.1Q/802.1ad
 * VLAN tags (up to 8), IPv4, IPv6 (skipping hop-by-hop, routing, fragment
 * and destination options headers), TCP, UDP, ICMP and ICMPv6. Counts
 * packets and bytes each way per bidirectional 5-tuple in an open-addressing
 * hash table with linear probing.
 *
 * Key: IP version, protocol, the two addresses and the two ports, ordered
 * so both directions of a conversation find the same entry. ICMP and
 * ICMPv6 echo messages use the identifier as both ports; other ICMP
 * messages use type and code. VLAN ids are not part of the key. Bytes are
 * the frame's original length on the wire. "Each way" means from the
 * originator (the source of the flow's first packet) and back.
 *
 * Output: one JSON line with totals on stdout; with --dump, one line per
 * flow before it: "proto version origAddr origPort respAddr respPort
 * origPackets origBytes respPackets respBytes" (addresses as hex).
 *
 * Build: cc -O2 -o flow-ceiling flow-ceiling.c -lpcap
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define MAX_VLAN_TAGS 8
#define MAX_IPV6_EXTENSIONS 8

struct flow_key {
  uint8_t low_address[16];
  uint8_t high_address[16];
  uint16_t low_port;
  uint16_t high_port;
  uint8_t protocol;
  uint8_t version;
  uint8_t padding[2];
};

struct flow_entry {
  struct flow_key key;
  uint64_t hash; /* 0 marks an empty slot */
  uint8_t originator_is_low;
  uint64_t packets[2]; /* [0] from the originator, [1] from the responder */
  uint64_t bytes[2];
};

struct flow_table {
  struct flow_entry *slots;
  uint64_t capacity; /* a power of two */
  uint64_t count;
};

struct totals {
  uint64_t packets;
  uint64_t bytes;
  uint64_t ip_packets;
  uint64_t ipv4_packets;
  uint64_t non_ip_packets;
  uint64_t truncated_packets;
};

static struct flow_table table;
static struct totals totals;

static uint16_t read_u16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

/* 64-bit multiply-xorshift mix over the key's five 64-bit words. */
static uint64_t hash_key(const struct flow_key *key) {
  const uint64_t *words = (const uint64_t *)key;
  uint64_t h = 0x9e3779b97f4a7c15ULL;
  for (size_t i = 0; i < sizeof(*key) / 8; i++) {
    h ^= words[i];
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 31;
  }
  return h | 1; /* never 0, the empty-slot mark */
}

static void grow_table(void) {
  struct flow_table bigger = {calloc(table.capacity * 2, sizeof(struct flow_entry)), table.capacity * 2, table.count};
  if (bigger.slots == NULL) {
    fprintf(stderr, "flow-ceiling: out of memory growing the flow table to %llu slots\n", (unsigned long long)bigger.capacity);
    exit(2);
  }
  for (uint64_t i = 0; i < table.capacity; i++) {
    struct flow_entry *entry = &table.slots[i];
    if (entry->hash == 0) continue;
    uint64_t slot = entry->hash & (bigger.capacity - 1);
    while (bigger.slots[slot].hash != 0) slot = (slot + 1) & (bigger.capacity - 1);
    bigger.slots[slot] = *entry;
  }
  free(table.slots);
  table = bigger;
}

static void count_packet(const struct flow_key *key, int source_is_low, uint32_t wire_bytes) {
  if (table.count * 2 >= table.capacity) grow_table();
  uint64_t hash = hash_key(key);
  uint64_t slot = hash & (table.capacity - 1);
  struct flow_entry *entry;
  for (;;) {
    entry = &table.slots[slot];
    if (entry->hash == 0) {
      entry->key = *key;
      entry->hash = hash;
      entry->originator_is_low = (uint8_t)source_is_low;
      table.count++;
      break;
    }
    if (entry->hash == hash && memcmp(&entry->key, key, sizeof(*key)) == 0) break;
    slot = (slot + 1) & (table.capacity - 1);
  }
  int way = source_is_low == entry->originator_is_low ? 0 : 1;
  entry->packets[way]++;
  entry->bytes[way] += wire_bytes;
}

/* Orders the endpoints so both directions share a key; returns whether the source is the low endpoint. */
static int build_key(struct flow_key *key, int version, uint8_t protocol, const uint8_t *source, const uint8_t *destination,
                     uint16_t source_port, uint16_t destination_port) {
  size_t length = version == 4 ? 4 : 16;
  int order = memcmp(source, destination, length);
  int source_is_low = order < 0 || (order == 0 && source_port <= destination_port);
  memset(key, 0, sizeof(*key));
  key->version = (uint8_t)version;
  key->protocol = protocol;
  memcpy(key->low_address, source_is_low ? source : destination, length);
  memcpy(key->high_address, source_is_low ? destination : source, length);
  key->low_port = source_is_low ? source_port : destination_port;
  key->high_port = source_is_low ? destination_port : source_port;
  return source_is_low;
}

/* Decodes transport ports, or ICMP identifier/type-code; returns 0 when the header is cut short. */
static int read_ports(uint8_t protocol, const uint8_t *p, const uint8_t *end, uint16_t *source_port, uint16_t *destination_port) {
  if (protocol == 6 || protocol == 17 || protocol == 132) {
    if (end - p < 4) return 0;
    *source_port = read_u16(p);
    *destination_port = read_u16(p + 2);
    return 1;
  }
  if (protocol == 1 || protocol == 58) {
    if (end - p < 8) return 0;
    uint8_t type = p[0];
    int is_echo = protocol == 1 ? (type == 8 || type == 0) : (type == 128 || type == 129);
    *source_port = is_echo ? read_u16(p + 4) : type;
    *destination_port = is_echo ? read_u16(p + 4) : p[1];
    return 1;
  }
  *source_port = 0;
  *destination_port = 0;
  return 1;
}

static void handle_packet(u_char *user, const struct pcap_pkthdr *header, const u_char *bytes) {
  (void)user;
  const uint8_t *p = bytes;
  const uint8_t *end = bytes + header->caplen;
  totals.packets++;
  totals.bytes += header->len;

  /* Ethernet, then any number of VLAN tags up to a limit. */
  if (end - p < 14) { totals.truncated_packets++; return; }
  uint16_t ethertype = read_u16(p + 12);
  p += 14;
  for (int tags = 0; (ethertype == ETHERTYPE_VLAN || ethertype == ETHERTYPE_QINQ || ethertype == ETHERTYPE_QINQ_OLD) && tags < MAX_VLAN_TAGS; tags++) {
    if (end - p < 4) { totals.truncated_packets++; return; }
    ethertype = read_u16(p + 2);
    p += 4;
  }

  struct flow_key key;
  uint16_t source_port, destination_port;
  int source_is_low;
  if (ethertype == ETHERTYPE_IPV4) {
    if (end - p < 20 || (p[0] >> 4) != 4) { totals.truncated_packets++; return; }
    size_t header_length = (size_t)(p[0] & 0x0f) * 4;
    if (header_length < 20 || (size_t)(end - p) < header_length) { totals.truncated_packets++; return; }
    uint8_t protocol = p[9];
    /* Non-first fragments carry no transport header. */
    int is_later_fragment = (read_u16(p + 6) & 0x1fff) != 0;
    if (is_later_fragment) { source_port = destination_port = 0; }
    else if (!read_ports(protocol, p + header_length, end, &source_port, &destination_port)) { totals.truncated_packets++; return; }
    source_is_low = build_key(&key, 4, protocol, p + 12, p + 16, source_port, destination_port);
    totals.ipv4_packets++;
  } else if (ethertype == ETHERTYPE_IPV6) {
    if (end - p < 40 || (p[0] >> 4) != 6) { totals.truncated_packets++; return; }
    const uint8_t *addresses = p + 8;
    uint8_t protocol = p[6];
    const uint8_t *next = p + 40;
    /* Walk extension headers: hop-by-hop 0, routing 43, fragment 44, destination options 60. */
    for (int i = 0; i < MAX_IPV6_EXTENSIONS && (protocol == 0 || protocol == 43 || protocol == 44 || protocol == 60); i++) {
      if (end - next < 8) { totals.truncated_packets++; return; }
      size_t length = protocol == 44 ? 8 : ((size_t)next[1] + 1) * 8;
      protocol = next[0];
      next += length;
    }
    if (next > end || !read_ports(protocol, next, end, &source_port, &destination_port)) { totals.truncated_packets++; return; }
    source_is_low = build_key(&key, 6, protocol, addresses, addresses + 16, source_port, destination_port);
  } else {
    totals.non_ip_packets++;
    return;
  }
  totals.ip_packets++;
  count_packet(&key, source_is_low, header->len);
}

static void print_address(const uint8_t *address, int version) {
  for (int i = 0; i < (version == 4 ? 4 : 16); i++) printf("%02x", address[i]);
}

static void dump_flows(void) {
  for (uint64_t i = 0; i < table.capacity; i++) {
    const struct flow_entry *entry = &table.slots[i];
    if (entry->hash == 0) continue;
    const struct flow_key *key = &entry->key;
    int low_first = entry->originator_is_low;
    printf("%u %u ", key->protocol, key->version);
    print_address(low_first ? key->low_address : key->high_address, key->version);
    printf(" %u ", low_first ? key->low_port : key->high_port);
    print_address(low_first ? key->high_address : key->low_address, key->version);
    printf(" %u %llu %llu %llu %llu\n", low_first ? key->high_port : key->low_port, (unsigned long long)entry->packets[0],
           (unsigned long long)entry->bytes[0], (unsigned long long)entry->packets[1], (unsigned long long)entry->bytes[1]);
  }
}

int main(int argc, char **argv) {
  const char *path = NULL;
  int dump = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--dump") == 0) dump = 1;
    else path = argv[i];
  }
  if (path == NULL) {
    fprintf(stderr, "usage: flow-ceiling [--dump] CAPTURE\n");
    return 64;
  }

  char error[PCAP_ERRBUF_SIZE];
  pcap_t *capture = pcap_open_offline(path, error);
  if (capture == NULL) {
    fprintf(stderr, "flow-ceiling: cannot open %s: %s\n", path, error);
    return 1;
  }
  if (pcap_datalink(capture) != DLT_EN10MB) {
    fprintf(stderr, "flow-ceiling: %s has link type %d; only Ethernet (1) is supported\n", path, pcap_datalink(capture));
    return 1;
  }

  table.capacity = 1 << 16;
  table.slots = calloc(table.capacity, sizeof(struct flow_entry));
  if (table.slots == NULL) return 2;
  if (pcap_loop(capture, -1, handle_packet, NULL) == PCAP_ERROR) {
    fprintf(stderr, "flow-ceiling: reading %s failed after %llu packets: %s\n", path, (unsigned long long)totals.packets, pcap_geterr(capture));
    return 1;
  }
  pcap_close(capture);

  if (dump) dump_flows();
  printf("{\"packets\":%llu,\"bytes\":%llu,\"ipPackets\":%llu,\"ipv4Packets\":%llu,\"nonIpPackets\":%llu,\"truncatedPackets\":%llu,\"flows\":%llu}\n",
         (unsigned long long)totals.packets, (unsigned long long)totals.bytes, (unsigned long long)totals.ip_packets, (unsigned long long)totals.ipv4_packets,
         (unsigned long long)totals.non_ip_packets, (unsigned long long)totals.truncated_packets, (unsigned long long)table.count);
  return 0;
}
