// Unit tests of the launch decision (which binary, which message), in plain node: launch.ts
// does not import `vscode`.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { findOnPath, isExecutableFile, LaunchInputs, resolveServer } from '../../src/launch';

/** Inputs with a fake file system holding exactly `executables`. */
function inputs(overrides: Partial<LaunchInputs>, executables: string[] = []): LaunchInputs {
  return {
    configuredPath: undefined,
    searchPath: '/usr/local/bin:/usr/bin',
    platform: 'linux',
    home: '/home/me',
    isExecutable: (file) => executables.includes(file),
    ...overrides,
  };
}

test('dslc on PATH is used when dslc.path is empty', () => {
  const launch = resolveServer(inputs({ configuredPath: '' }, ['/usr/bin/dslc']));
  assert.deepEqual(launch, { kind: 'found', command: '/usr/bin/dslc', args: ['lsp'], source: 'PATH' });
});

test('the first PATH directory with dslc wins', () => {
  const launch = resolveServer(inputs({}, ['/usr/bin/dslc', '/usr/local/bin/dslc']));
  assert.equal(launch.kind === 'found' && launch.command, '/usr/local/bin/dslc');
});

test('dslc.path wins over PATH', () => {
  const launch = resolveServer(inputs({ configuredPath: '/opt/dslc/bin/dslc' }, ['/usr/bin/dslc', '/opt/dslc/bin/dslc']));
  assert.deepEqual(launch, { kind: 'found', command: '/opt/dslc/bin/dslc', args: ['lsp'], source: 'setting' });
});

test('a relative dslc.path is resolved against the workspace folder, ~ against home', () => {
  const relative = resolveServer(inputs({ configuredPath: 'target/debug/dslc', workspaceFolder: '/work/repo' }, ['/work/repo/target/debug/dslc']));
  assert.equal(relative.kind === 'found' && relative.command, '/work/repo/target/debug/dslc');
  const home = resolveServer(inputs({ configuredPath: '~/.cargo/bin/dslc' }, ['/home/me/.cargo/bin/dslc']));
  assert.equal(home.kind === 'found' && home.command, '/home/me/.cargo/bin/dslc');
});

test('a dslc.path that is not executable is an error naming it, even with dslc on PATH', () => {
  const launch = resolveServer(inputs({ configuredPath: '/nowhere/dslc' }, ['/usr/bin/dslc']));
  assert.equal(launch.kind, 'missing');
  assert.match(launch.kind === 'missing' ? launch.message : '', /dslc\.path is "\/nowhere\/dslc", but \/nowhere\/dslc is not an executable file/);
});

test('without dslc.path and without dslc on PATH the message says how to fix it', () => {
  const launch = resolveServer(inputs({ searchPath: '/usr/bin' }));
  assert.equal(launch.kind, 'missing');
  const message = launch.kind === 'missing' ? launch.message : '';
  assert.match(message, /no dslc is on PATH/);
  assert.match(message, /set dslc\.path/);
  assert.match(message, /Restart the language server/);
});

test('empty PATH entries (the current directory) are not searched', () => {
  assert.equal(findOnPath('dslc', inputs({ searchPath: ':/usr/bin' }, ['dslc'])), undefined);
  assert.equal(findOnPath('dslc', inputs({ searchPath: undefined }, ['dslc'])), undefined);
});

test('on Windows PATHEXT extensions are tried and ; separates PATH', () => {
  const found = findOnPath(
    'dslc',
    inputs({ platform: 'win32', searchPath: 'C:\\tools;C:\\bin', pathExt: '.COM;.EXE' }, ['C:\\bin\\dslc.EXE']),
  );
  assert.equal(found, 'C:\\bin\\dslc.EXE');
});

test('isExecutableFile: an executable file yes, a plain file, a directory and nothing no', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dslc-launch-'));
  try {
    const executable = path.join(dir, 'dslc');
    fs.writeFileSync(executable, '#!/bin/sh\n');
    fs.chmodSync(executable, 0o755);
    const plain = path.join(dir, 'plain');
    fs.writeFileSync(plain, '');
    fs.chmodSync(plain, 0o644);
    assert.equal(isExecutableFile(executable), true);
    assert.equal(isExecutableFile(dir), false);
    assert.equal(isExecutableFile(path.join(dir, 'missing')), false);
    // X_OK needs an execute bit, even for root.
    assert.equal(isExecutableFile(plain), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
