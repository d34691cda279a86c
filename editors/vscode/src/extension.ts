// The VS Code side: starts `dslc lsp` for cohort specs and offers commands to restart it and
// to show its log. Which binary to start is decided in launch.ts.

import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';

import { processInputs, resolveServer } from './launch';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // One channel for the client's messages and the server's stderr, kept across restarts.
  output = vscode.window.createOutputChannel('dslc');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('dslc.restartServer', async () => {
      await stop();
      await start();
    }),
    vscode.commands.registerCommand('dslc.showServerLog', () => output?.show(true)),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('dslc.path')) {
        await stop();
        await start();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function start(): Promise<void> {
  const configured = vscode.workspace.getConfiguration('dslc').get<string>('path');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const launch = resolveServer(processInputs(configured, folder));
  if (launch.kind === 'missing') {
    output?.appendLine(launch.message);
    // Not awaited: activation must not wait for the user to answer.
    void vscode.window.showErrorMessage(launch.message, 'Open settings', 'Show log').then((choice) => {
      if (choice === 'Open settings') {
        void vscode.commands.executeCommand('workbench.action.openSettings', 'dslc.path');
      } else if (choice === 'Show log') {
        output?.show(true);
      }
    });
    return;
  }
  output?.appendLine(`Starting ${launch.command} ${launch.args.join(' ')} (from ${launch.source})`);
  const server: ServerOptions = { command: launch.command, args: launch.args };
  const options: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'cohort' }],
    outputChannel: output,
    synchronize: {
      // Includes, catalogs and the project file change on disk; the server re-reads them.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{csv,txt,toml,cohort}'),
    },
  };
  client = new LanguageClient('dslc', 'dslc language server', server, options);
  try {
    await client.start();
  } catch (error) {
    const message = `dslc lsp did not start (${launch.command}): ${String(error)}`;
    output?.appendLine(message);
    void vscode.window.showErrorMessage(message, 'Show log').then((choice) => {
      if (choice) {
        output?.show(true);
      }
    });
    client = undefined;
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}
