/**
 * Handlers for the requests the host process handles itself (Open Recent,
 * settings, the file dialog, app info), shared by the Electron main process
 * and `tideline serve`. Arguments arrive validated.
 */
import type { AppInfo } from '../../shared/contract/requests';
import type { HostRequestName, RequestHandlers } from '../../shared/contract/types';
import type { Settings } from '../../shared/domain/settings';
import { fail, succeed, type Result } from '../../shared/errors';
import type { RecentCaptures } from './recent-captures';
import type { SettingsStore } from './settings-store';

export interface HostHandlerOptions {
  recent: RecentCaptures;
  settings: SettingsStore;
  info: AppInfo;
  /** Native open dialog; absent where none exists (serve mode). Resolves to the chosen path or null. */
  showOpenDialog?: () => Promise<string | null>;
  onSettingsChanged?: (settings: Settings) => void;
  /** Starts Wireshark on a file (see `openInWireshark`); absent where Wireshark is not offered. */
  openInWireshark?: (path: string) => Result<{ path: string }>;
}

export function createHostHandlers(options: HostHandlerOptions): RequestHandlers<HostRequestName> {
  return {
    'recent.list': () => succeed(options.recent.list()),
    'recent.add': (argument) => succeed(options.recent.add(argument.path)),
    'recent.clear': () => succeed(options.recent.clear()),
    'settings.get': () => succeed(options.settings.get()),
    'settings.set': (argument) => {
      const settings = options.settings.update(argument);
      options.onSettingsChanged?.(settings);
      return succeed(settings);
    },
    'dialog.openCapture': async () => {
      if (options.showOpenDialog === undefined) {
        return fail(
          'unsupported',
          'This host has no file dialog; type the capture path on the server into the path field.',
          {},
        );
      }
      return succeed({ path: await options.showOpenDialog() });
    },
    'app.info': () => succeed({ ...options.info, canOpenInWireshark: options.openInWireshark !== undefined }),
    'app.openInWireshark': (argument) => {
      if (options.openInWireshark === undefined) {
        return fail('unsupported', 'Wireshark is not installed on this machine, or this server is reached from another one.', {});
      }
      return options.openInWireshark(argument.path);
    },
  };
}
