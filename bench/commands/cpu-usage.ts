import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process CPU time in clock ticks of 1/100 s (`getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

/** User plus system CPU seconds a process has used so far; null when /proc cannot tell. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces; the fields after it are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const userTicks = Number(fields[11]);
    const systemTicks = Number(fields[12]);
    return (userTicks + systemTicks) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** The pid of the local MariaDB/MySQL server, when it runs on this machine. */
export function findDatabaseServerPid(): number | null {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const name = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
        if (name === 'mariadbd' || name === 'mysqld') return Number(entry);
      } catch {
        // The process ended while we looked.
      }
    }
  } catch {
    // No /proc (not Linux).
  }
  return null;
}

interface MachineCpuSeconds {
  busy: number;
  ioWait: number;
  /** Time the hypervisor gave to other guests while this one wanted to run. */
  steal: number;
}

/** Busy, I/O-wait and steal seconds of the whole machine (all cores) from /proc/stat; null when it cannot tell. */
export function machineCpuSeconds(): MachineCpuSeconds | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , ioWait, irq, softIrq, steal] = fields;
    return {
      busy: (user + nice + system + irq + softIrq) / TICKS_PER_SECOND,
      ioWait: ioWait / TICKS_PER_SECOND,
      steal: (steal ?? 0) / TICKS_PER_SECOND,
    };
  } catch {
    return null;
  }
}

/**
 * CPU each watched process used over an interval, in cores (1.0 = one core busy all the time);
 * `machine` is every process on the machine, `others` what the watched ones do not explain (other
 * work on a shared machine), `ioWait` idle time with disk I/O outstanding, `steal` CPU the
 * hypervisor gave to other virtual machines (a noisy neighbour).
 */
export type CpuShares = Record<string, number>;

/** Samples named processes at start and stop; the difference over wall time is their CPU share. */
export class CpuWatch {
  private readonly started = new Map<string, number>();
  private startedAt = 0;
  private machineStarted: MachineCpuSeconds | null = null;

  constructor(private readonly processes: Record<string, number | null>) {}

  start(): void {
    this.startedAt = performance.now();
    this.machineStarted = machineCpuSeconds();
    for (const [name, pid] of Object.entries(this.processes)) {
      const seconds = pid === null ? null : cpuSecondsOf(pid);
      if (seconds !== null) this.started.set(name, seconds);
    }
  }

  stop(): CpuShares {
    const wallSeconds = (performance.now() - this.startedAt) / 1000;
    const shares: CpuShares = {};
    for (const [name, pid] of Object.entries(this.processes)) {
      const before = this.started.get(name);
      const after = pid === null ? null : cpuSecondsOf(pid);
      if (before === undefined || after === null) continue;
      shares[name] = cores(after - before, wallSeconds);
    }
    const machine = machineCpuSeconds();
    if (this.machineStarted && machine) {
      shares.machine = cores(machine.busy - this.machineStarted.busy, wallSeconds);
      const watched = Object.keys(this.processes).reduce((sum, name) => sum + (shares[name] ?? 0), 0);
      shares.others = Math.max(0, Math.round((shares.machine - watched) * 100) / 100);
      shares.ioWait = cores(machine.ioWait - this.machineStarted.ioWait, wallSeconds);
      shares.steal = cores(machine.steal - this.machineStarted.steal, wallSeconds);
    }
    return shares;
  }
}

function cores(cpuSeconds: number, wallSeconds: number): number {
  return Math.round((cpuSeconds / wallSeconds) * 100) / 100;
}

export function describeCpuShares(shares: CpuShares): string {
  return Object.entries(shares)
    .map(([name, cores]) => `${name} ${cores.toFixed(2)}`)
    .join(', ');
}
