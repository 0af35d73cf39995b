/**
 * Packet drill-down: a flow's packets (numbered as in the source file), the
 * decoded tree and bytes of the packet picked, the field picked in the tree,
 * the followed stream, and carving selections to pcapng.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

import type { CarvedFile, CarveSelection, PacketList } from '../../shared/contract/case-contract';
import type { FlowRecord } from '../../shared/contract';
import type { FollowedStream, PacketDetail, PacketTreeNode } from '../../shared/domain/packet-tree';
import { useApi } from '../api';
import { useCaptureStore } from './capture';

/** Packets listed per page of the packet list. */
export const packetPageSize = 1_000;

/** Decode base64 to bytes without Node's Buffer (the page runs in a browser). */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

export const usePacketsStore = defineStore('packets', () => {
  // The API is looked up per call, so making the store never throws on a page without a connection.
  const api = () => useApi().api;
  const capture = useCaptureStore();

  const flow = ref<FlowRecord | null>(null);
  const list = ref<PacketList | null>(null);
  const detail = ref<PacketDetail | null>(null);
  const selectedNode = ref<PacketTreeNode | null>(null);
  const stream = ref<FollowedStream | null>(null);
  const isPacketViewOpen = ref(false);
  const isFollowOpen = ref(false);
  const error = ref<string | null>(null);
  const lastExport = ref<CarvedFile | null>(null);
  let detailSequence = 0;

  function captureIdOrError(): string | null {
    if (capture.captureId === null) error.value = 'No capture is open.';
    return capture.captureId;
  }

  /** Open the packet view on `target`'s packets and show its first packet. */
  async function openPackets(target: FlowRecord, offset = 0): Promise<void> {
    const captureId = captureIdOrError();
    if (captureId === null) return;
    flow.value = target;
    isPacketViewOpen.value = true;
    error.value = null;
    const result = await api().packetsList({ captureId, uid: target.uid, offset, limit: packetPageSize });
    if (!result.ok) {
      list.value = null;
      error.value = result.error.message;
      return;
    }
    list.value = result.value;
    const first = result.value.rows[0];
    if (first !== undefined && offset === 0) await selectPacket(first.sourceId, first.packetNumber);
  }

  async function selectPacket(sourceId: number, packetNumber: number): Promise<void> {
    const captureId = captureIdOrError();
    if (captureId === null) return;
    const sequence = ++detailSequence;
    const result = await api().packetsDetail({ captureId, sourceId, packetNumber });
    if (sequence !== detailSequence) return;
    if (!result.ok) {
      error.value = result.error.message;
      return;
    }
    detail.value = result.value;
    selectedNode.value = null;
  }

  function selectNode(node: PacketTreeNode | null): void {
    selectedNode.value = node;
  }

  /** Follow `target`'s TCP or UDP conversation. */
  async function follow(target: FlowRecord): Promise<void> {
    const captureId = captureIdOrError();
    if (captureId === null) return;
    flow.value = target;
    isFollowOpen.value = true;
    stream.value = null;
    error.value = null;
    const result = await api().streamFollow({ captureId, uid: target.uid });
    if (!result.ok) {
      error.value = result.error.message;
      return;
    }
    stream.value = result.value;
  }

  /**
   * Carve `selection` into the case's exports folder and save it through a
   * download when the bytes came back; returns the file or null on error.
   */
  async function carve(selection: CarveSelection): Promise<CarvedFile | null> {
    const captureId = captureIdOrError();
    if (captureId === null) return null;
    const result = await api().exportCarve({ captureId, path: '', selection });
    if (!result.ok) {
      error.value = result.error.message;
      return null;
    }
    lastExport.value = result.value;
    if (result.value.bytesBase64 !== null && result.value.exportName !== null) {
      const blob = new Blob([decodeBase64(result.value.bytesBase64) as Uint8Array<ArrayBuffer>], {
        type: 'application/vnd.tcpdump.pcap',
      });
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = result.value.exportName;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    }
    return result.value;
  }

  /** True when the host can start Wireshark (installed, and in serve mode on this machine). */
  const canOpenInWireshark = computed(() => capture.appInfo?.canOpenInWireshark === true);

  /** Start Wireshark on a capture or carved file; a refusal shows as the store's error. */
  async function openInWireshark(path: string): Promise<boolean> {
    const result = await api().appOpenInWireshark({ path });
    if (!result.ok) error.value = result.error.message;
    return result.ok;
  }

  function closePacketView(): void {
    isPacketViewOpen.value = false;
  }

  function closeFollow(): void {
    isFollowOpen.value = false;
  }

  return {
    flow,
    list,
    detail,
    selectedNode,
    stream,
    isPacketViewOpen,
    isFollowOpen,
    error,
    lastExport,
    openPackets,
    selectPacket,
    selectNode,
    follow,
    carve,
    canOpenInWireshark,
    openInWireshark,
    closePacketView,
    closeFollow,
  };
});
