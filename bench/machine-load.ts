/**
 * How much of the machine other processes used while a phase ran: the CPU time of the whole
 * machine (/proc/stat) less that of the bench process and the servers it started (/proc/PID/stat).
 * On a shared machine a figure measured while others compiled or ran tests is not Slotline's; this
 * says which ones. Linux only: elsewhere the share is unknown (NaN).
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import os from 'node:os';

/** Busy and total clock ticks of all CPUs together, or undefined without /proc. */
function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait };
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc's CPU times (USER_HZ): 100 on every Linux that matters. */
const TICKS_PER_SECOND = 100;

/**
 * The CPU seconds processes `pids` use together from now until the answered function is called.
 * A process gone by then counts nothing, its last ticks gone with it (a database backend that the
 * pool closed meanwhile used to make the sum negative); NaN when none is known at both ends.
 */
export function cpuMeter(pids: readonly number[]): () => number {
  const before = pids.map(processTicks);
  return () => {
    let ticks = 0;
    let known = false;
    pids.forEach((pid, index) => {
      const now = processTicks(pid);
      const then = before[index]!;
      if (now === 0 || then === 0) return;
      ticks += now - then;
      known = true;
    });
    return known ? ticks / TICKS_PER_SECOND : NaN;
  };
}

/**
 * The local ports of the TCP connections that processes `pids` (ours) hold to `remotePort`, from
 * their socket inodes in /proc/PID/fd and /proc/net/tcp{,6}: with PostgreSQL's pg_stat_activity
 * (client_port), they name the database backends that serve our servers. Empty without /proc.
 */
export function tcpClientPorts(pids: readonly number[], remotePort: number): number[] {
  const inodes = new Set<string>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (inode) inodes.add(inode);
      } catch {
        // Closed meanwhile.
      }
    }
  }
  const ports: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let lines: string[] = [];
    try {
      lines = readFileSync(file, 'utf8').split('\n').slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      const [, local = '', remote = ''] = fields;
      if (fields.length < 10 || !inodes.has(fields[9] ?? '')) continue;
      const port = (address: string) => parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
      if (port(remote) === remotePort) ports.push(port(local));
    }
  }
  return ports;
}

/** User and system clock ticks of one process; 0 once it is gone. */
function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: utime is the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * Starts measuring; `pids()` names our processes besides this one (read at start and at end, so
 * take the end before stopping a server). The returned function gives the share of the machine's
 * CPU capacity (all cores) that other processes used meanwhile, from 0 to 1.
 */
export function otherLoad(pids: () => readonly number[] = () => []): () => number {
  const ours = (): number => [process.pid, ...pids()].reduce((sum, pid) => sum + processTicks(pid), 0);
  const startMachine = machineTicks();
  const startOurs = ours();
  return () => {
    const endMachine = machineTicks();
    if (!startMachine || !endMachine) return NaN;
    const total = endMachine.total - startMachine.total;
    const others = endMachine.busy - startMachine.busy - (ours() - startOurs);
    return total > 0 ? Math.max(0, others) / total : NaN;
  };
}

/** "12 % of 2 cores", or "unknown". */
export function describeLoad(share: number): string {
  return Number.isFinite(share) ? `${Math.round(share * 100)} % of ${os.cpus().length} cores` : 'unknown';
}

/** Resident memory of a process in bytes (VmRSS), NaN once it is gone or without /proc. */
export function rssBytes(pid: number): number {
  try {
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? NaN : Number(kib) * 1024;
  } catch {
    return NaN;
  }
}

/**
 * Samples a process's resident memory every `everyMs` until stopped; `onSample` sees each sample
 * (bytes) as it comes. `max()` is the largest seen, NaN when none was.
 */
export function sampleRss(pid: number, everyMs: number, onSample: (bytes: number) => void = () => undefined) {
  let max = NaN;
  let samples = 0;
  const timer = setInterval(() => {
    const bytes = rssBytes(pid);
    if (!Number.isFinite(bytes)) return;
    samples++;
    max = Number.isFinite(max) ? Math.max(max, bytes) : bytes;
    onSample(bytes);
  }, everyMs);
  return { max: () => max, samples: () => samples, stop: () => clearInterval(timer) };
}
