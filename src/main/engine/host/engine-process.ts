/**
 * Entry of the engine process: an Electron utilityProcess in the app, a
 * `child_process.fork` child under `tideline serve`. It handles contract
 * requests from its parent and sends events to the parent and to any event
 * port the parent attached (the page's MessagePort in the app).
 *
 * Messages from the parent: `RequestMessage`, or `{ type: 'attach-event-port' }`
 * carrying one MessagePort. Messages to the parent: `{ type: 'ready' }`
 * once, then `ResponseMessage` and `EventMessage`.
 */
import { getLogger } from '../logging';
import { analyzeWithAnalyzers } from './analyze-with-analyzers';
import { startEngineHost } from './engine-host';
import { connectToParent } from './parent-channel';

const log = getLogger('engine.process');
const parent = connectToParent();

if (parent === null) {
  log.error('engine process started without a parent channel; start it through the app or `tideline serve`');
  process.exitCode = 2;
} else {
  startEngineHost(parent, analyzeWithAnalyzers);
}
