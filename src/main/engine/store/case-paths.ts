/** Where cases live: the user's data folder per platform, or TIDELINE_DATA_DIR. */
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The folder that holds one sub-folder per case: `$TIDELINE_DATA_DIR/cases`
 * when set (tests, portable installs), else Linux `$XDG_DATA_HOME/tideline/cases`
 * (default ~/.local/share), macOS `~/Library/Application Support/Tideline/cases`,
 * Windows `%APPDATA%\Tideline\cases`.
 */
export function getDefaultCasesFolder(
  platform: NodeJS.Platform = process.platform,
  environment: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  const override = environment.TIDELINE_DATA_DIR;
  if (override !== undefined && override !== '') return join(override, 'cases');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Tideline', 'cases');
  if (platform === 'win32') {
    const appData = environment.APPDATA ?? join(home, 'AppData', 'Roaming');
    return join(appData, 'Tideline', 'cases');
  }
  const dataHome = environment.XDG_DATA_HOME !== undefined && environment.XDG_DATA_HOME !== '' ? environment.XDG_DATA_HOME : join(home, '.local', 'share');
  return join(dataHome, 'tideline', 'cases');
}
