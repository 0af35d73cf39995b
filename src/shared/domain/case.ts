/**
 * Cases: one folder per opened capture or live session, holding the store
 * database, the manifest and (for live sessions) the capture files.
 * JSON-safe; times in integer microseconds since the Unix epoch.
 */

/** Version of case.json and of the store's tables; a newer case is refused by an older Tideline. */
export const CASE_FORMAT_VERSION = 1;

export interface CaseSettings {
  /**
   * True: the case keeps headers and metadata only. The store never holds
   * packet bytes; follow stream and drill-down then read the source capture
   * when it is still present, and say payloads were not kept otherwise.
   */
  isPayloadKept: boolean;
  /** Most bytes the case folder may use; ingest stops with status 'disk-cap-reached' past it. Null: no cap. */
  diskCapBytes: number | null;
  /** DuckDB memory limit in bytes, taken from the engine's ceiling. */
  databaseMemoryBytes: number;
  /** DuckDB worker threads. */
  databaseThreads: number;
}

/** One capture file the case was made from. */
export interface CaseSource {
  /** 0-based id used by the packet index. */
  id: number;
  /** Absolute path when the case was made; the file may have moved since. */
  path: string;
  sizeBytes: number;
  /** Lowercase hex SHA-256 of the file as stored on disk (compressed bytes for .gz). */
  sha256: string;
  isCompressed: boolean;
  /**
   * Interfaces of the file's first section by interface id (pcap: one), so
   * packets can be read back and carved without scanning the file. Absent in
   * a case whose ingest did not finish.
   */
  interfaces?: CaseSourceInterface[];
}

/** What reading back or carving a source's packets needs to know of an interface. */
export interface CaseSourceInterface {
  linkType: number;
  snaplen: number;
  /** The pcapng if_tsresol byte (pcap: 6 for microseconds, 9 for nanoseconds). */
  timestampResolution: number;
  /** if_tsoffset in seconds; 0 when absent. */
  timestampOffsetSeconds: number;
}

/**
 * 'interrupted': the case was found still 'ingesting' when opened again, so
 * the process that ingested it stopped (crash, kill, power loss) before the
 * end. The tables contain what was committed. This state is only reported,
 * never stored.
 */
export type CaseIngestState = 'ingesting' | 'complete' | 'cancelled' | 'disk-cap-reached' | 'failed' | 'interrupted';

/** The manifest, case.json at the top of the case folder. */
export interface CaseManifest {
  formatVersion: number;
  /** Folder name, also the case id. */
  id: string;
  /** Name shown on the start screen, the first source's file name by default. */
  name: string;
  createdUs: number;
  sources: CaseSource[];
  settings: CaseSettings;
  /**
   * True once ingest stored the alerts the capture's analysis raised (with
   * the packet-based detectors' ones), so a reopened case shows them as
   * they were. Absent in older cases and in an ingest cut short.
   */
  areAlertsStored?: boolean;
}

/** Ingest progress as committed with the data, so it always agrees with the tables. */
export interface CaseIngestMarker {
  state: CaseIngestState;
  /** Transactions committed. */
  batches: number;
  flows: number;
  records: number;
  packets: number;
  alerts: number;
  /** Highest packet number in the packet index; 0 before the first packet. */
  lastPacketNumber: number;
  /** Reason ingest stopped, for 'failed', 'disk-cap-reached' and 'interrupted'. */
  message: string | null;
  /**
   * Flows still open at the last snapshot, stored provisional (`isProvisional`)
   * and not counted in `flows`; 0 once ingest completed. Absent in older cases.
   */
  openFlows?: number;
  /** Last packet counted in the open-flow snapshot; at most `lastPacketNumber`. */
  openFlowsAtPacket?: number;
}

/** A case as the start screen lists it. */
export interface CaseListEntry {
  id: string;
  name: string;
  folder: string;
  createdUs: number;
  /** Bytes used by the case folder on disk. */
  sizeBytes: number;
  sources: CaseSource[];
  /** Null when the store could not be read (the manifest alone is listed). */
  marker: CaseIngestMarker | null;
}
