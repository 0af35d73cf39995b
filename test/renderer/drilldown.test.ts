// @vitest-environment happy-dom
/**
 * Drill-down components with real Pinia and the fake API: the filter box's
 * display-filter decision, error column and completion; the packet view's
 * tree and highlighted bytes; follow stream's sides; evidence export; and
 * the start screen's cases.
 */
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';

import { installApi } from '../../src/renderer/api';
import CaseList from '../../src/renderer/components/cases/CaseList.vue';
import CarveSelectionButton from '../../src/renderer/components/packets/CarveSelectionButton.vue';
import ExportEvidenceButton from '../../src/renderer/components/packets/ExportEvidenceButton.vue';
import FilterAssist from '../../src/renderer/components/packets/FilterAssist.vue';
import PacketTree from '../../src/renderer/components/packets/PacketTree.vue';
import SelectionBar from '../../src/renderer/components/SelectionBar.vue';
import {
  getCompletionPrefix,
  getLeadingFieldName,
  looksLikeDisplayFilter,
  useFilterBoxStore,
} from '../../src/renderer/stores/filter-box';
import { decodeBase64, usePacketsStore } from '../../src/renderer/stores/packets';
import { useCaptureStore } from '../../src/renderer/stores/capture';
import { useSelectionStore } from '../../src/renderer/stores/selection';
import { useViewStore } from '../../src/renderer/stores/view';
import FlowsView from '../../src/renderer/views/FlowsView.vue';
import FollowStreamView from '../../src/renderer/views/FollowStreamView.vue';
import { joinStreamChunks } from '../../src/renderer/format/stream-blocks';
import PacketView from '../../src/renderer/views/PacketView.vue';
import type { Alert } from '../../src/shared/contract';
import type { PacketDetail } from '../../src/shared/domain/packet-tree';
import { FakeEngine, makeFlow, settle } from './fake-api';

let engine: FakeEngine;

/** An Ethernet + IPv4 + TCP header whose destination port (bytes 36-37) is 80. */
function packetBytes(): Uint8Array {
  const bytes = new Uint8Array(54);
  bytes[12] = 0x08;
  bytes[14] = 0x45;
  bytes[34] = 0xd3;
  bytes[35] = 0x68;
  bytes[36] = 0x00;
  bytes[37] = 0x50;
  return bytes;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

const detail: PacketDetail = {
  packetNumber: 27,
  sourceId: 0,
  timestampUs: 1_700_000_000_000_000,
  capturedLength: 54,
  originalLength: 54,
  linkType: 1,
  bytesBase64: base64(packetBytes()),
  problems: [],
  layers: [
    {
      label: 'Transmission Control Protocol, Src Port: 54120, Dst Port: 80',
      field: null,
      value: null,
      offset: 34,
      length: 20,
      children: [
        { label: 'Source Port: 54120', field: 'tcp.srcport', value: '54120', offset: 34, length: 2, children: [] },
        { label: 'Destination Port: 80', field: 'tcp.dstport', value: '80', offset: 36, length: 2, children: [] },
      ],
    },
  ],
};

beforeEach(async () => {
  setActivePinia(createPinia());
  engine = new FakeEngine();
  installApi(engine.connection());
  await useCaptureStore().initialize();
  engine.emit('capture.started', { captureId: 'capture-1', path: '/captures/sample.pcapng' });
});

describe('filter box', () => {
  it('tells filters from words and finds the word to complete', () => {
    expect(looksLikeDisplayFilter('tcp.port == 80')).toBe(true);
    expect(looksLikeDisplayFilter('not dns')).toBe(true);
    expect(looksLikeDisplayFilter('10.66.0.21')).toBe(false);
    expect(getCompletionPrefix('ip.addr == 1.2.3.4 && tcp.p')).toBe('tcp.p');
    expect(getCompletionPrefix('tcp.port == ')).toBe('');
  });

  it('sends a text that parses as a display filter as one', async () => {
    const selection = useSelectionStore();
    const wrapper = mount(FilterAssist, { props: { draft: 'conn_state == "REJ"' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await settle();
    selection.setText('conn_state == "REJ"');
    expect(selection.filter).toEqual({ displayFilter: 'conn_state == "REJ"' });
    expect(useFilterBoxStore().mode).toBe('display');

    await wrapper.setProps({ draft: 'badword' } as Record<string, unknown>);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await settle();
    selection.setText('badword');
    // The fake parses everything without "===", so a word is a display filter too; the engine decides.
    expect(engine.requestsOf('filterCheck')).toEqual([{ text: 'conn_state == "REJ"' }, { text: 'badword' }]);
  });

  it('marks the column of a syntax error', async () => {
    const wrapper = mount(FilterAssist, { props: { draft: '  tcp.port === 80' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await settle();
    const error = wrapper.find('[data-testid="filter-error"]');
    // The fake reports column 2 of the trimmed text; the box shifts it past the two leading spaces.
    expect(error.attributes('data-column')).toBe(String(2 + 'tcp.port =='.length + 1));
    expect(error.find('mark').text()).toBe('=');
    expect(useSelectionStore().displayFilter).toBeNull();
    // A text that does not parse stays a plain search.
    useSelectionStore().setText('  tcp.port === 80');
    expect(useSelectionStore().filter).toEqual({ text: 'tcp.port === 80' });
  });

  it('errors on a lone "=" after a field', async () => {
    engine.filterFields = [{ name: 'tcp.port', description: 'TCP port', type: 'integer' }];
    // The real parser rejects a lone "=" at its column; this rule does the same.
    engine.filterRule = (text) => {
      const column = text.search(/(?<![=!<>])=(?!=)/);
      return column < 0 ? null : { message: 'Unexpected character "="', column, length: 1 };
    };
    const wrapper = mount(FilterAssist, { props: { draft: 'tcp.port = 80' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await settle();
    const error = wrapper.find('[data-testid="filter-error"]');
    expect(error.attributes('data-column')).toBe('10');
    expect(error.text()).toContain('Column 10: Unexpected character "="');
    expect(error.find('mark').text()).toBe('=');
    expect(useFilterBoxStore().mode).toBe('text');
    expect(engine.requestsOf('filterComplete')).toContainEqual({ prefix: 'tcp.port' });

    // A word that is no field keeps the plain search without an error, even with "=" after it.
    await wrapper.setProps({ draft: 'user=bob' } as Record<string, unknown>);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await settle();
    expect(wrapper.find('[data-testid="filter-error"]').exists()).toBe(false);
    expect(getLeadingFieldName('  tcp.port != 1')).toBe('tcp.port');
    expect(getLeadingFieldName('10.66.0.21')).toBeNull();
  });

  it('hides the flow count for an invalid filter', async () => {
    const wrapper = mount(FlowsView);
    const bar = mount(SelectionBar, {
      props: { text: '', timeRange: null, hosts: [], evidenceTitle: null, evidenceCount: 0, timeZone: 'utc' },
    });
    await bar.find('input').setValue('tcp.port === 80');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await settle();
    expect(bar.find('[data-testid="filter-error"]').text()).toContain('Column 12');
    expect(bar.find('[data-testid="filter-mode"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="flow-count"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="flow-count-invalid"]').text()).toBe(
      'The filter is invalid (column 12), so no flows are shown.',
    );

    await bar.find('input').setValue('tcp.port == 80');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await settle();
    expect(bar.find('[data-testid="filter-mode"]').text()).toBe('display filter');
    expect(wrapper.find('[data-testid="flow-count-invalid"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="flow-count"]').exists()).toBe(true);
  });

  it('completes a field name in place of the word typed', async () => {
    engine.filterFields = [
      { name: 'tcp.port', description: 'TCP port', type: 'integer' },
      { name: 'tcp.srcport', description: 'TCP source port', type: 'integer' },
      { name: 'udp.port', description: 'UDP port', type: 'integer' },
    ];
    const wrapper = mount(FilterAssist, { props: { draft: 'ip.addr == 10.0.0.1 && tcp.' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await settle();
    const options = wrapper.findAll('[role="option"]');
    expect(options.map((option) => option.text().split(' ')[0])).toEqual(['tcp.port', 'tcp.srcport']);
    await options[0]!.trigger('mousedown');
    expect(wrapper.emitted('complete')).toEqual([['ip.addr == 10.0.0.1 && tcp.port ']]);
  });
});

describe('packet view', () => {
  it('lists packets by source number and highlights the picked field', async () => {
    const flow = makeFlow({ uid: 'Chttp' });
    engine.packetLists.set('Chttp', {
      total: 2,
      offset: 0,
      rows: [27, 33].map((packetNumber) => ({
        sourceId: 0,
        packetNumber,
        timestampUs: 1_700_000_000_000_000,
        capturedLength: 54,
        originalLength: 54,
        flowUid: 'Chttp',
        ...(packetNumber === 27
          ? {
              summary: {
                source: '10.0.0.5',
                destination: '198.51.100.80',
                protocol: 'TCP',
                info: '40000 → 80 [SYN] Win=64240 Len=0',
              },
            }
          : {}),
      })),
    });
    engine.packetDetails.set(27, detail);
    const packets = usePacketsStore();
    await packets.openPackets(flow);
    const wrapper = mount(PacketView);
    await settle();
    expect(wrapper.findAll('[data-testid="packet-row"]').map((row) => row.attributes('data-packet-number'))).toEqual([
      '27',
      '33',
    ]);
    // Source, destination, protocol and info come from the engine; a row without them shows blanks.
    const rows = wrapper.findAll('[data-testid="packet-row"]');
    expect(rows.map((row) => row.find('[data-testid="packet-info"]').text())).toEqual([
      '40000 → 80 [SYN] Win=64240 Len=0',
      '',
    ]);
    expect(rows[0]!.find('[data-testid="packet-source"]').text()).toBe('10.0.0.5');
    expect(rows[0]!.find('[data-testid="packet-destination"]').text()).toBe('198.51.100.80');
    expect(engine.requestsOf('packetsDetail')).toEqual([{ captureId: 'capture-1', sourceId: 0, packetNumber: 27 }]);

    await wrapper.find('[data-field="tcp.dstport"]').trigger('click');
    const highlighted = wrapper.findAll('.hex .hl');
    expect(highlighted.map((cell) => cell.text())).toEqual(['00', '50']);
    expect(highlighted.map((cell) => cell.attributes('data-byte'))).toEqual(['36', '37']);
    // ASCII column highlights the same two bytes: 0x00 as a dot and 0x50 as "P".
    expect(wrapper.findAll('.ascii .hl').map((cell) => cell.text())).toEqual(['.', 'P']);
  });

  it('shows arrival time to the microsecond', () => {
    const timeUs = 1_700_000_000_123_456;
    const frame = {
      label: 'Frame 27: 54 bytes on wire',
      field: null,
      value: null,
      offset: 0,
      length: 54,
      children: [
        // The engine's line: whole milliseconds in ISO form, then the exact microseconds.
        {
          label: `Arrival Time: 2023-11-14T22:13:20.123Z (${timeUs} us)`,
          field: 'frame.time_epoch',
          value: String(timeUs / 1e6),
          offset: 0,
          length: 0,
          children: [],
        },
        { label: 'Frame Length: 54 bytes', field: 'frame.len', value: '54', offset: 0, length: 0, children: [] },
      ],
    };
    const wrapper = mount(PacketTree, { props: { nodes: [frame], selected: null } });
    expect(wrapper.find('[data-field="frame.time_epoch"]').text()).toBe('Arrival Time: 2023-11-14 22:13:20.123456Z');
    expect(wrapper.find('[data-field="frame.len"]').text()).toBe('Frame Length: 54 bytes');
  });

  it('shows the engine error when the flow has no case', async () => {
    const packets = usePacketsStore();
    engine.packetDetails.clear();
    engine.packetLists.set('C1', {
      total: 1,
      offset: 0,
      rows: [{ sourceId: 0, packetNumber: 9, timestampUs: 0, capturedLength: 1, originalLength: 1, flowUid: 'C1' }],
    });
    await packets.openPackets(makeFlow({ uid: 'C1' }));
    const wrapper = mount(PacketView);
    await settle();
    expect(wrapper.find('[role="alert"]').text()).toBe('No packet 9');
  });
});

describe('follow stream', () => {
  it('shows each side in its colour, as text or hex', async () => {
    engine.followedStream = {
      uid: 'Chttp',
      transport: 'tcp',
      chunks: [
        {
          direction: 'originator',
          bytesBase64: base64(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n')),
          packetNumber: 27,
          timestampUs: 0,
        },
        {
          direction: 'responder',
          bytesBase64: base64(new TextEncoder().encode('HTTP/1.1 200 OK\r\n<b>\u0001')),
          packetNumber: 33,
          timestampUs: 1,
        },
      ],
      originatorBytes: 18,
      responderBytes: 21,
      isTruncated: false,
      note: null,
    };
    await usePacketsStore().follow(makeFlow({ uid: 'Chttp' }));
    const wrapper = mount(FollowStreamView);
    await settle();
    const sides = wrapper.findAll('[data-testid="stream-body"] pre');
    expect(sides.map((side) => side.classes())).toEqual([['originator'], ['responder']]);
    expect(sides[0]!.text()).toBe('GET / HTTP/1.1');
    // Markup stays text and a control byte is a dot.
    expect(sides[1]!.element.textContent).toBe('HTTP/1.1 200 OK\r\n<b>.');
    expect(sides[1]!.find('b').exists()).toBe(false);
    await wrapper.find('input[value="hex"]').setValue(true);
    expect(wrapper.findAll('pre')[0]!.text()).toMatch(/^00000000 {2}47 45 54 20 2f 20/);
  });

  it("joins one side's TCP segments", async () => {
    const text = (value: string) => base64(new TextEncoder().encode(value));
    engine.followedStream = {
      uid: 'Cagent',
      transport: 'tcp',
      chunks: [
        {
          direction: 'originator',
          bytesBase64: text('POST /report HTTP/1.1\r\n\r\nflow clien'),
          packetNumber: 40,
          timestampUs: 0,
        },
        { direction: 'originator', bytesBase64: text('t update'), packetNumber: 41, timestampUs: 1 },
        {
          direction: 'responder',
          bytesBase64: text('HTTP/1.1 204 No Content\r\n\r\n'),
          packetNumber: 43,
          timestampUs: 2,
        },
        { direction: 'originator', bytesBase64: text('bye'), packetNumber: 44, timestampUs: 3 },
      ],
      originatorBytes: 46,
      responderBytes: 27,
      isTruncated: false,
      note: null,
    };
    await usePacketsStore().follow(makeFlow({ uid: 'Cagent' }));
    const wrapper = mount(FollowStreamView);
    await settle();
    const blocks = wrapper.findAll('[data-testid="stream-body"] pre');
    expect(blocks.map((block) => block.attributes('data-direction'))).toEqual([
      'originator',
      'responder',
      'originator',
    ]);
    expect(blocks[0]!.element.textContent).toBe('POST /report HTTP/1.1\r\n\r\nflow client update');
    expect(blocks[0]!.attributes('title')).toBe('Packets 40-41');
    expect(blocks[2]!.attributes('title')).toBe('Packet 44');
    // Hex offsets run on across the joined segments: 43 bytes take three lines of 16.
    await wrapper.find('input[value="hex"]').setValue(true);
    expect(
      wrapper
        .findAll('pre')[0]!
        .text()
        .split('\n')
        .map((line) => line.slice(0, 8)),
    ).toEqual(['00000000', '00000010', '00000020']);

    // UDP datagrams are messages of their own and stay apart.
    expect(
      joinStreamChunks({
        transport: 'udp',
        chunks: [
          { direction: 'originator', bytesBase64: text('a'), packetNumber: 1, timestampUs: 0 },
          { direction: 'originator', bytesBase64: text('b'), packetNumber: 2, timestampUs: 1 },
        ],
      }).map((block) => [...block.bytes]),
    ).toEqual([[0x61], [0x62]]);
  });
});

describe('evidence export', () => {
  it("carves the alert's evidence by id", async () => {
    engine.carvedFile = {
      path: '/cases/c/exports/alert-a1.pcapng',
      packets: 42,
      bytes: 9000,
      exportName: null,
      bytesBase64: null,
    };
    const alert = {
      id: 'a1',
      evidence: { flowUids: ['C1'], packetNumbers: [], isTruncated: false },
    } as unknown as Alert;
    const wrapper = mount(ExportEvidenceButton, { props: { alert } });
    await wrapper.find('[data-testid="export-evidence"]').trigger('click');
    await settle();
    expect(engine.requestsOf('exportCarve')).toEqual([
      { captureId: 'capture-1', path: '', selection: { kind: 'alert', alertId: 'a1' } },
    ]);
    expect(wrapper.find('[data-testid="export-evidence-note"]').text()).toBe('42 packets');
  });

  it('offers Open in Wireshark on the carved file only when the host can start it', async () => {
    engine.carvedFile = {
      path: '/cases/c/exports/alert-a1.pcapng',
      packets: 3,
      bytes: 600,
      exportName: null,
      bytesBase64: null,
    };
    const alert = {
      id: 'a1',
      evidence: { flowUids: ['C1'], packetNumbers: [], isTruncated: false },
    } as unknown as Alert;
    const without = mount(ExportEvidenceButton, { props: { alert } });
    await without.find('[data-testid="export-evidence"]').trigger('click');
    await settle();
    expect(without.find('[data-testid="open-in-wireshark"]').exists()).toBe(false);

    engine.canOpenInWireshark = true;
    await useCaptureStore().initialize();
    const wrapper = mount(ExportEvidenceButton, { props: { alert } });
    await settle();
    await wrapper.find('[data-testid="open-in-wireshark"]').trigger('click');
    await settle();
    expect(engine.openedInWireshark).toEqual(['/cases/c/exports/alert-a1.pcapng']);
    expect(usePacketsStore().error).toBeNull();
  });

  it('decodes base64 bytes without Buffer', () => {
    expect([...decodeBase64('AFD/')]).toEqual([0x00, 0x50, 0xff]);
  });
});

describe('carving the selection', () => {
  it('carves the time range with the display filter and hosts', async () => {
    const selection = useSelectionStore();
    selection.setText('tcp.port == 80');
    selection.setDisplayFilter('tcp.port == 80');
    selection.toggleHost('10.0.0.1');
    selection.setTimeRange({ startUs: 100, endUs: 200 });
    const wrapper = mount(CarveSelectionButton);
    await wrapper.find('button').trigger('click');
    await settle();
    expect(engine.requestsOf('exportCarve')).toEqual([
      {
        captureId: 'capture-1',
        path: '',
        selection: {
          kind: 'range',
          filter: '(tcp.port == 80) && ip.addr in {10.0.0.1}',
          timeRange: { startUs: 100, endUs: 200 },
        },
      },
    ]);
  });

  it('carves evidence flows, and refuses a plain text search', async () => {
    const selection = useSelectionStore();
    selection.setText('10.0.0');
    const wrapper = mount(CarveSelectionButton);
    expect(wrapper.find('button').attributes('disabled')).toBeDefined();
    selection.selectEvidence({
      title: 't',
      firstUs: 1,
      lastUs: 2,
      hosts: [],
      evidence: { flowUids: ['C1', 'C2'] },
    } as unknown as Alert);
    await settle();
    await wrapper.find('button').trigger('click');
    await settle();
    expect(engine.requestsOf('exportCarve')).toEqual([
      { captureId: 'capture-1', path: '', selection: { kind: 'flows', uids: ['C1', 'C2'] } },
    ]);
  });
});

describe('cases on the start screen', () => {
  it('lists cases with their size, reopens one and deletes one', async () => {
    const marker = {
      state: 'complete' as const,
      batches: 1,
      flows: 237,
      records: 0,
      packets: 1317,
      alerts: 0,
      lastPacketNumber: 1317,
      message: null,
    };
    engine.cases = [
      {
        id: 'case-a',
        name: 'sample.pcapng',
        folder: '/cases/case-a',
        createdUs: 1_700_000_000_000_000,
        sizeBytes: 3_145_728,
        sources: [],
        marker,
      },
      {
        id: 'case-b',
        name: 'other.pcap',
        folder: '/cases/case-b',
        createdUs: 1_600_000_000_000_000,
        sizeBytes: 1024,
        sources: [],
        marker: null,
      },
    ];
    const wrapper = mount(CaseList, { props: { timeZone: 'utc' } });
    await settle();
    const rows = wrapper.findAll('[data-testid="case-row"]');
    expect(rows.map((row) => row.attributes('data-case-id'))).toEqual(['case-a', 'case-b']);
    expect(rows[0]!.find('[data-testid="case-size"]').text()).toBe('3.00 MiB');
    expect(rows[1]!.find('button').attributes('disabled')).toBeDefined();

    await rows[0]!.find('button').trigger('click');
    await settle();
    expect(engine.requestsOf('casesOpen')).toEqual([{ caseId: 'case-a' }]);
    expect(useViewStore().active).toBe('overview');

    window.confirm = () => true;
    await rows[1]!.findAll('button')[1]!.trigger('click');
    await settle();
    expect(engine.requestsOf('casesDelete')).toEqual([{ caseId: 'case-b' }]);
    expect(wrapper.findAll('[data-testid="case-row"]')).toHaveLength(1);
  });

  it('saves the next case settings', async () => {
    engine.newCaseSettings = { isPayloadKept: true, diskCapBytes: 2 * 1024 ** 3 };
    const wrapper = mount(CaseList, { props: { timeZone: 'utc' } });
    await settle();
    const cap = wrapper.find<HTMLInputElement>('[data-testid="disk-cap"]');
    expect(cap.element.value).toBe('2048');
    expect(wrapper.find<HTMLInputElement>('[data-testid="headers-only"]').element.checked).toBe(false);

    await wrapper.find('[data-testid="headers-only"]').setValue(true);
    await settle();
    expect(engine.requestsOf('casesSetSettings')).toEqual([{ isPayloadKept: false }]);

    await cap.setValue('3');
    await settle();
    expect(wrapper.find('[data-testid="disk-cap-error"]').text()).toContain('at least 16');
    expect(engine.requestsOf('casesSetSettings')).toHaveLength(1);

    await cap.setValue('100');
    await settle();
    await cap.setValue('');
    await settle();
    expect(engine.requestsOf('casesSetSettings').slice(1)).toEqual([
      { diskCapBytes: 100 * 1024 * 1024 },
      { diskCapBytes: null },
    ]);
    expect(engine.newCaseSettings).toEqual({ isPayloadKept: false, diskCapBytes: null });
  });
});
