/**
 * The shape of a Zeek log row as the mapping functions return it, keyed by
 * Zeek's field names. The log writer formats values by the column's Zeek
 * type: `time` columns hold integer microseconds since the epoch (the writer
 * prints seconds with six decimals), `interval` columns microseconds, `bool`
 * a boolean, `count`/`port` a number, vectors and sets a string array (an
 * empty array is Zeek's "(empty)"), and null is unset ("-").
 */

export type ZeekValue = string | number | boolean | null | readonly string[];

export type ZeekRow = Record<string, ZeekValue>;

/** One column of a Zeek log: its field name and Zeek type as the #types line writes it. */
export type ZeekField = readonly [name: string, type: string];

/** The connection a record belongs to, as the flow table records it. */
export interface ZeekConnectionIdentity {
  /** Time of the record's first packet, integer microseconds since the epoch. */
  timestampUs: number;
  uid: string;
  originatorAddress: string;
  originatorPort: number;
  responderAddress: string;
  responderPort: number;
}

export const ZEEK_CONNECTION_FIELDS: readonly ZeekField[] = [
  ['ts', 'time'],
  ['uid', 'string'],
  ['id.orig_h', 'addr'],
  ['id.orig_p', 'port'],
  ['id.resp_h', 'addr'],
  ['id.resp_p', 'port'],
];

export function createConnectionColumns(identity: ZeekConnectionIdentity): ZeekRow {
  return {
    ts: identity.timestampUs,
    uid: identity.uid,
    'id.orig_h': identity.originatorAddress,
    'id.orig_p': identity.originatorPort,
    'id.resp_h': identity.responderAddress,
    'id.resp_p': identity.responderPort,
  };
}
