import { readdirSync, readFileSync } from 'node:fs';

/** The pid of the first process on this machine whose command name (`/proc/<pid>/comm`) is `name`. */
export function findProcessPid(name: string): number | null {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) return Number(entry);
      } catch {
        // The process ended while we looked.
      }
    }
  } catch {
    // No /proc (not Linux).
  }
  return null;
}
