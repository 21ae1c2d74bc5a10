import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { RunnerState } from '../../projections/engine';
import type { ProjectorCommand, ProjectorMessage } from './projector.worker';

const WORKER = join(__dirname, 'projector.worker.ts');

/** A projector child process (`projector.worker.ts` under tsx), seen from the test. */
export class ProjectorProcess {
  readonly states: RunnerState[] = [];
  readonly failures: string[] = [];
  private loaded = false;
  private readonly exited: Promise<void>;
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly instanceId: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (message: ProjectorMessage) => {
      if (message.kind === 'loaded') this.loaded = true;
      else if (message.kind === 'state') this.states.push(message.state);
      else this.failures.push(message.error);
      for (const listener of this.listeners) listener();
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => {
      for (const listener of this.listeners) listener();
    });
  }

  static start(
    eventsDatabase: string,
    recordDatabase: string,
    instanceId: string,
    maxBatchEvents: number,
    handlerDelayMs = 0,
  ): ProjectorProcess {
    const args = [eventsDatabase, recordDatabase, instanceId, String(maxBatchEvents), String(handlerDelayMs)];
    const child = fork(WORKER, args, {
      execArgv: ['--import', 'tsx'],
      cwd: join(__dirname, '..', '..'),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new ProjectorProcess(instanceId, child);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get state(): RunnerState | 'starting' {
    return this.states[this.states.length - 1] ?? 'starting';
  }

  /** Starts the engine once the process has loaded its modules (process start-up is most of a restart's cost). */
  async go(timeoutMs = 20_000): Promise<void> {
    await this.until(() => this.loaded, 'loaded', timeoutMs);
    this.child.send({ kind: 'go' } satisfies ProjectorCommand);
  }

  /** Resolves once the runner reports `state`; rejects on a reported failure, an exit or the timeout. */
  reaches(state: RunnerState, timeoutMs = 20_000): Promise<void> {
    return this.until(() => this.states.includes(state), state, timeoutMs);
  }

  private until(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (this.failures.length > 0) finish(new Error(`${this.instanceId} failed: ${this.failures.join('\n')}`));
        else if (done()) finish();
        else if (!this.alive) finish(new Error(`${this.instanceId} exited before reaching ${what}`));
      };
      const timer = setTimeout(
        () => finish(new Error(`${this.instanceId} did not reach ${what} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.listeners.add(check);
      check();
    });
  }

  /** SIGKILL: no cleanup, no goodbye; MySQL sees its sessions drop. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.alive) this.child.send({ kind: 'stop' } satisfies ProjectorCommand);
    await this.exited;
  }
}
