/** SMB records (MS-SMB2, MS-NLMP), JSON-safe. */

/** User and domain from an NTLMSSP AUTHENTICATE in SMB2 SESSION_SETUP, with the server's CHALLENGE names. */
export interface SmbSessionRecord {
  userName: string;
  domain: string;
  workstation: string;
  /** From the server's CHALLENGE target info (MsvAvNbComputerName, MsvAvDnsComputerName, MsvAvDnsTreeName). */
  serverNetbiosComputerName: string | null;
  serverDnsComputerName: string | null;
  serverTreeName: string | null;
  /** NT status of the SESSION_SETUP response; null until it arrives. */
  status: number | null;
}

export interface SmbTreeRecord {
  /** UNC path as requested, e.g. \\HOST\ADMIN$. */
  path: string;
  /** ADMIN$ or a drive share such as C$. */
  isAdminShare: boolean;
  isIpcShare: boolean;
  /** 'DISK', 'PIPE' or 'PRINT' from the response; null until it arrives or when it failed. */
  shareType: string | null;
  /** SMB1 only: the service of the response, e.g. "A:" (disk) or "IPC". */
  service: string | null;
  /** SMB1 only: the native file system of the response, e.g. "NTFS". */
  nativeFileSystem: string | null;
  status: number | null;
  treeId: number | null;
  /** Capture time of the packet that completed the TREE_CONNECT request (smb_mapping.log ts), microseconds. */
  timestampUs?: number;
}

export interface SmbFileRecord {
  /** Path of the tree the file is on, or null when the tree connect was not seen. */
  treePath: string | null;
  /** File or pipe name as requested (relative to the share). */
  name: string;
  /** CreateDisposition of the request (MS-SMB2 2.2.13), e.g. 1 FILE_OPEN. */
  disposition: number;
  status: number | null;
  /** CreateAction of a successful response: 1 opened, 2 created, 3 overwritten. */
  createAction: number | null;
  /** EndofFile of the response. */
  sizeBytes: number | null;
  modifiedUs: number | null;
  accessedUs: number | null;
  createdUs: number | null;
  changedUs: number | null;
  /** Lower-case pipe name when this opens an RPC pipe used for remote execution or enumeration (svcctl, atsvc, ...). */
  remoteExecutionPipe: string | null;
  /** Capture time of the packet that completed the CREATE request (smb_files.log ts), microseconds. */
  timestampUs?: number;
}

export interface SmbConnectionRecord {
  /** 'SMB2' (SMB 2.x and 3.x) once any SMB2 message is seen, else 'SMB1' once an SMB1 message is; null before. */
  dialect: string | null;
  /** True when an SMB1 NEGOTIATE was seen (possibly before an upgrade to SMB2). */
  hasSmb1Negotiate: boolean;
  sessions: SmbSessionRecord[];
  trees: SmbTreeRecord[];
  files: SmbFileRecord[];
  /** SMB3 transform (encrypted) messages, counted and not read. */
  encryptedMessages: number;
  problems: string[];
}
