/**
 * Writes the application analyzers' logs (dns, http, dhcp, weird, ssl,
 * x509, ssh, smb_mapping, smb_files and quic) into an output folder while a capture is analyzed. Each log
 * file is created on its first record, as Zeek does, and written through a
 * small buffer, so memory does not grow with the number of records.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ZeekLogWriter, type ZeekLogFormat, type ZeekLogSink } from '../output/zeek-log-writer';
import {
  DHCP_LOG_COLUMNS,
  DNS_LOG_COLUMNS,
  HTTP_LOG_COLUMNS,
  QUIC_LOG_COLUMNS,
  SMB_FILES_LOG_COLUMNS,
  SMB_MAPPING_LOG_COLUMNS,
  SSH_LOG_COLUMNS,
  SSL_LOG_COLUMNS,
  WEIRD_LOG_COLUMNS,
  X509_LOG_COLUMNS,
} from './analyzer-log-columns';
import type { ApplicationAnalyzerSinks } from './application-analyzers';

/** Text collected before each write to the file. */
const FLUSH_CHARACTERS = 64 * 1024;

/** Open `path` for writing (created or truncated) and return a buffered sink over it. */
export function openFileSink(path: string): ZeekLogSink {
  const descriptor = openSync(path, 'w');
  let pending = '';
  return {
    write(text) {
      pending += text;
      if (pending.length >= FLUSH_CHARACTERS) {
        writeSync(descriptor, pending);
        pending = '';
      }
    },
    end() {
      if (pending !== '') writeSync(descriptor, pending);
      pending = '';
      closeSync(descriptor);
    },
  };
}

export interface AnalyzerLogFiles {
  sinks: ApplicationAnalyzerSinks;
  /** Close every log that was opened; returns the record count per log name (only logs with records). */
  close(): Record<string, number>;
}

/** Create lazily opened writers for the analyzer logs in `directory`, which must exist before the first record. */
export function createAnalyzerLogFiles(directory: string, format: ZeekLogFormat, openedAt: Date = new Date()): AnalyzerLogFiles {
  const open = (name: string) => () => openFileSink(join(directory, `${name}.log`));
  const dns = new ZeekLogWriter('dns', DNS_LOG_COLUMNS, format, open('dns'), openedAt);
  const http = new ZeekLogWriter('http', HTTP_LOG_COLUMNS, format, open('http'), openedAt);
  const dhcp = new ZeekLogWriter('dhcp', DHCP_LOG_COLUMNS, format, open('dhcp'), openedAt);
  const weird = new ZeekLogWriter('weird', WEIRD_LOG_COLUMNS, format, open('weird'), openedAt);
  const ssl = new ZeekLogWriter('ssl', SSL_LOG_COLUMNS, format, open('ssl'), openedAt);
  const x509 = new ZeekLogWriter('x509', X509_LOG_COLUMNS, format, open('x509'), openedAt);
  const ssh = new ZeekLogWriter('ssh', SSH_LOG_COLUMNS, format, open('ssh'), openedAt);
  const smbMapping = new ZeekLogWriter('smb_mapping', SMB_MAPPING_LOG_COLUMNS, format, open('smb_mapping'), openedAt);
  const smbFiles = new ZeekLogWriter('smb_files', SMB_FILES_LOG_COLUMNS, format, open('smb_files'), openedAt);
  const quic = new ZeekLogWriter('quic', QUIC_LOG_COLUMNS, format, open('quic'), openedAt);
  const writers = [
    ['dns', dns], ['http', http], ['dhcp', dhcp], ['weird', weird], ['ssl', ssl], ['x509', x509], ['ssh', ssh],
    ['smb_mapping', smbMapping], ['smb_files', smbFiles], ['quic', quic],
  ] as const;
  return {
    sinks: {
      onDns: (record) => dns.write(record),
      onHttp: (record) => http.write(record),
      onDhcp: (record) => dhcp.write(record),
      onWeird: (record) => weird.write(record),
      onSsl: (row) => ssl.write(row),
      onX509: (row) => x509.write(row),
      onSsh: (row) => ssh.write(row),
      onSmbMapping: (row) => smbMapping.write(row),
      onSmbFiles: (row) => smbFiles.write(row),
      onQuic: (row) => quic.write(row),
    },
    close() {
      const counts: Record<string, number> = {};
      const closedAt = new Date();
      for (const [name, writer] of writers) {
        if (writer.recordCount > 0) counts[name] = writer.recordCount;
        writer.close(closedAt);
      }
      return counts;
    },
  };
}
