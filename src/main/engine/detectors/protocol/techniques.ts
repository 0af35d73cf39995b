/** ATT&CK techniques the protocol detectors name beyond those of alert-factory.ts. */
import type { Technique } from '../alert-factory';

export const protocolTechniques = {
  webProtocols: { id: 'T1071.001', name: 'Application Layer Protocol: Web Protocols' },
  dns: { id: 'T1071.004', name: 'Application Layer Protocol: DNS' },
  nonApplicationLayerProtocol: { id: 'T1095', name: 'Non-Application Layer Protocol' },
  nonStandardPort: { id: 'T1571', name: 'Non-Standard Port' },
  smbAdminShares: { id: 'T1021.002', name: 'Remote Services: SMB/Windows Admin Shares' },
  serviceExecution: { id: 'T1569.002', name: 'System Services: Service Execution' },
  scheduledTask: { id: 'T1053.005', name: 'Scheduled Task/Job: Scheduled Task' },
  networkShareDiscovery: { id: 'T1135', name: 'Network Share Discovery' },
  encryptedChannel: { id: 'T1573', name: 'Encrypted Channel' },
} as const satisfies Record<string, Technique>;
