import { describe, expectTypeOf, it } from 'vitest';

import type {
  Alert,
  AlertList,
  CaptureBatch,
  CaptureOverview,
  CaptureProgress,
  CaptureStatus,
  ContractError,
  EngineCrashed,
  EngineRequestName,
  EventPayload,
  FlowPage,
  FlowRecord,
  HostGraph,
  HostRequestName,
  OpenedCapture,
  RecentCapture,
  RequestArgument,
  RequestResult,
  Result,
  Settings,
  TidelineApi,
  Timeline,
} from '../../src/shared/contract';

describe('contract types', () => {
  it('types request arguments from their schemas', () => {
    expectTypeOf<RequestArgument<'capture.open'>>().toEqualTypeOf<{ path: string }>();
    expectTypeOf<RequestArgument<'flows.query'>['sort']['direction']>().toEqualTypeOf<'ascending' | 'descending'>();
    expectTypeOf<RequestArgument<'flows.query'>['filter']['timeRange']>().toEqualTypeOf<
      { startUs: number; endUs: number } | undefined
    >();
    expectTypeOf<RequestArgument<'aggregates.hostGraph'>>().toEqualTypeOf<{
      captureId: string;
      filter: RequestArgument<'flows.query'>['filter'];
      maxNodes: number;
    }>();
  });

  it('types request results', () => {
    expectTypeOf<RequestResult<'capture.open'>>().toEqualTypeOf<OpenedCapture>();
    expectTypeOf<RequestResult<'capture.status'>>().toEqualTypeOf<CaptureStatus | null>();
    expectTypeOf<RequestResult<'flows.query'>>().toEqualTypeOf<FlowPage>();
    expectTypeOf<FlowPage['rows']>().toEqualTypeOf<FlowRecord[]>();
    expectTypeOf<RequestResult<'flows.get'>>().toEqualTypeOf<FlowRecord>();
    expectTypeOf<RequestResult<'aggregates.timeline'>>().toEqualTypeOf<Timeline>();
    expectTypeOf<RequestResult<'aggregates.hostGraph'>>().toEqualTypeOf<HostGraph>();
    expectTypeOf<RequestResult<'aggregates.overview'>>().toEqualTypeOf<CaptureOverview>();
    expectTypeOf<RequestResult<'alerts.list'>>().toEqualTypeOf<AlertList>();
    expectTypeOf<AlertList['alerts']>().toEqualTypeOf<Alert[]>();
    expectTypeOf<RequestResult<'recent.list'>>().toEqualTypeOf<RecentCapture[]>();
    expectTypeOf<RequestResult<'settings.set'>>().toEqualTypeOf<Settings>();
  });

  it('types results as values with typed errors', () => {
    expectTypeOf<Result<number>>().toEqualTypeOf<{ ok: true; value: number } | { ok: false; error: ContractError }>();
    expectTypeOf<ContractError['code']>().toExtend<string>();
    expectTypeOf<'invalid-argument'>().toExtend<ContractError['code']>();
  });

  it('types event payloads', () => {
    expectTypeOf<EventPayload<'capture.progress'>>().toEqualTypeOf<CaptureProgress>();
    expectTypeOf<EventPayload<'capture.batch'>>().toEqualTypeOf<CaptureBatch>();
    expectTypeOf<EventPayload<'engine.crashed'>>().toEqualTypeOf<EngineCrashed>();
  });

  it('splits engine and host requests', () => {
    expectTypeOf<EngineRequestName>().toEqualTypeOf<
      | 'capture.open'
      | 'capture.cancel'
      | 'capture.status'
      | 'flows.query'
      | 'flows.get'
      | 'aggregates.timeline'
      | 'aggregates.hostGraph'
      | 'aggregates.overview'
      | 'alerts.list'
      | 'alerts.setState'
      | 'alerts.getAllowList'
      | 'alerts.setAllowList'
      | 'records.query'
      | 'records.forFlow'
      | 'capture.listInterfaces'
      | 'capture.validateFilter'
      | 'capture.startLive'
      | 'capture.pauseLive'
      | 'capture.resumeLive'
      | 'capture.stopLive'
      | 'cases.list'
      | 'cases.open'
      | 'cases.delete'
      | 'cases.getSettings'
      | 'cases.setSettings'
      | 'filter.check'
      | 'filter.complete'
      | 'packets.list'
      | 'packets.detail'
      | 'stream.follow'
      | 'export.carve'
    >();
    expectTypeOf<HostRequestName>().toEqualTypeOf<
      | 'recent.list'
      | 'recent.add'
      | 'recent.clear'
      | 'settings.get'
      | 'settings.set'
      | 'dialog.openCapture'
      | 'app.info'
      | 'app.openInWireshark'
    >();
  });

  it('derives the page API from the contract', () => {
    expectTypeOf<TidelineApi['captureOpen']>().toEqualTypeOf<
      (argument: { path: string }) => Promise<Result<OpenedCapture>>
    >();
    expectTypeOf<TidelineApi['recentList']>().parameters.toEqualTypeOf<[argument?: Record<string, never>]>();
    expectTypeOf<TidelineApi['flowsQuery']>().returns.toEqualTypeOf<Promise<Result<FlowPage>>>();
    expectTypeOf<TidelineApi['onCaptureBatch']>().toEqualTypeOf<
      (listener: (payload: CaptureBatch) => void) => () => void
    >();
  });

  it('keeps payloads free of bigint and Date', () => {
    type Leaves<T> = T extends object ? { [K in keyof T]: Leaves<T[K]> }[keyof T] : T;
    expectTypeOf<
      Extract<Leaves<FlowRecord | HostGraph | Timeline | Alert | CaptureProgress>, bigint | Date>
    >().toEqualTypeOf<never>();
  });
});
