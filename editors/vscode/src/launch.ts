// Which `dslc` binary the extension starts, decided without the `vscode` module so that it can
// be unit-tested in plain node.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** What the decision depends on; tests pass their own. */
export interface LaunchInputs {
  /** The `dslc.path` setting; empty or undefined means "look on PATH". */
  configuredPath: string | undefined;
  /** The `PATH` environment variable. */
  searchPath: string | undefined;
  /** `process.platform`: Windows also tries the extensions in `PATHEXT`. */
  platform: NodeJS.Platform;
  /** The `PATHEXT` environment variable (Windows only). */
  pathExt?: string;
  /** The first workspace folder, against which a relative `dslc.path` is resolved. */
  workspaceFolder?: string;
  /** The home directory, for a `dslc.path` starting with `~`. */
  home?: string;
  /** Whether a file exists and may be executed. */
  isExecutable: (file: string) => boolean;
}

/** The server to start, or why there is none. */
export type Launch =
  | { kind: 'found'; command: string; args: string[]; source: 'setting' | 'PATH' }
  | { kind: 'missing'; message: string };

/** The arguments that make `dslc` a language server on stdio. */
export const SERVER_ARGS = ['lsp'];

/** Decides which binary runs `dslc lsp`: the `dslc.path` setting if set, else `dslc` on PATH. */
export function resolveServer(inputs: LaunchInputs): Launch {
  const pathApi = inputs.platform === 'win32' ? path.win32 : path.posix;
  const configured = inputs.configuredPath?.trim();
  if (configured) {
    let file = configured;
    if (inputs.home && (file === '~' || file.startsWith('~/'))) {
      file = pathApi.join(inputs.home, file.slice(1));
    } else if (!pathApi.isAbsolute(file) && inputs.workspaceFolder) {
      file = pathApi.resolve(inputs.workspaceFolder, file);
    }
    if (inputs.isExecutable(file)) {
      return { kind: 'found', command: file, args: SERVER_ARGS, source: 'setting' };
    }
    return {
      kind: 'missing',
      message:
        `The setting dslc.path is "${configured}", but ${file} is not an executable file. ` +
        'Correct the setting, or clear it to use dslc from PATH.',
    };
  }
  const found = findOnPath('dslc', inputs);
  if (found) {
    return { kind: 'found', command: found, args: SERVER_ARGS, source: 'PATH' };
  }
  return {
    kind: 'missing',
    message:
      'Could not find dslc: the setting dslc.path is empty and no dslc is on PATH. ' +
      'Install dslc (pip install dslc, or cargo install --path crates/dslc-cli in a checkout) ' +
      'or set dslc.path to the binary, then run "dslc: Restart the language server".',
  };
}

/** The first executable `name` in the directories of PATH, like a shell would find it. */
export function findOnPath(name: string, inputs: LaunchInputs): string | undefined {
  const windows = inputs.platform === 'win32';
  const pathApi = windows ? path.win32 : path.posix;
  const separator = windows ? ';' : ':';
  const extensions = windows ? ['', ...(inputs.pathExt ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean)] : [''];
  for (const dir of (inputs.searchPath ?? '').split(separator)) {
    // An empty entry means the current directory, which a server launched by an editor must not use.
    if (!dir) {
      continue;
    }
    for (const extension of extensions) {
      const candidate = pathApi.join(dir, name + extension);
      if (inputs.isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** Whether `file` is a regular file this process may execute. */
export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The inputs of this process: its environment, platform and file system. */
export function processInputs(configuredPath: string | undefined, workspaceFolder?: string): LaunchInputs {
  return {
    configuredPath,
    searchPath: process.env.PATH,
    pathExt: process.env.PATHEXT,
    platform: process.platform,
    workspaceFolder,
    home: os.homedir(),
    isExecutable: isExecutableFile,
  };
}
