import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { BootedApp } from './booted-app';

const root = join(__dirname, '..', '..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const CLI = join(root, 'apps', 'cli', 'src', 'main.ts');

/**
 * The cli as an operator runs it, from source, in a process of its own (not blocking this one: an
 * app booted here keeps running), with `env` over this process's environment.
 */
export function runCli(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  return runCliWithInput(env, null, ...args);
}

/** The same, with `input` on its standard input (a password typed in); null leaves it open, as a terminal would. */
export function runCliWithInput(env: Record<string, string>, input: string | null, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: root,
      env: { ...process.env, PASSWORD_SCRYPT_COST: '12', LOG_LEVEL: 'silent', ...env },
    });
    if (input !== null) child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The cli on the databases of an app booted by `bootApp`. */
export const cliOn = (app: BootedApp, ...args: string[]): Promise<CliRun> =>
  runCli(
    {
      EVENTS_DATABASE: app.config.databases.events,
      RECORD_DATABASE: app.config.databases.record,
      WEB_DATABASE: app.config.databases.web,
    },
    ...args,
  );

/** The same, waiting for it, with `input` on its standard input (a password typed in). */
export function runCliSync(env: Record<string, string>, input: string, ...args: string[]): CliRun {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: root,
    input,
    env: { ...process.env, PASSWORD_SCRYPT_COST: '12', ...env },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
