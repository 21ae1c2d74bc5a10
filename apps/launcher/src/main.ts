/**
 * `npm start`: runs api, projector and worker together on one machine. Each is its own process
 * (as in production); if one exits, the others are stopped and the launcher exits with its code,
 * so a broken start is never half-running.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const services = ['api', 'projector', 'worker'] as const;
const children = new Map<string, ChildProcess>();
let stopping = false;

function stopAll(signal: NodeJS.Signals): void {
  stopping = true;
  for (const child of children.values()) if (child.exitCode === null) child.kill(signal);
}

for (const service of services) {
  const child = fork(join(__dirname, '..', '..', service, 'src', 'main.js'), [], { stdio: 'inherit' });
  children.set(service, child);
  child.on('exit', (code, signal) => {
    children.delete(service);
    if (!stopping) {
      process.stderr.write(`launcher: ${service} exited (${signal ?? code}); stopping the others\n`);
      process.exitCode = code || 1;
      stopAll('SIGTERM');
    }
    if (children.size === 0) process.exit();
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopAll(signal));
