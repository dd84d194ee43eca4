// Child processes (the server under test), CPU pinning, and what /proc says about them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const hasTaskset = process.platform === 'linux' && spawnSync('taskset', ['--version']).status === 0;
const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** A CPU list for taskset ("0", "1", "0-1"), or "any" for no pinning. */
export type CpuChoice = string;

/** Pins a running process (all its threads) to `cpus`; false if that is not possible here. */
export function pin(pid: number, cpus: CpuChoice): boolean {
  if (!hasTaskset || cpus === 'any') return false;
  return spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' }).status === 0;
}

/** The CPUs a process may run on, as taskset reports them. */
export function affinity(pid: number): string {
  if (!hasTaskset) return 'any';
  const out = spawnSync('taskset', ['-c', '-p', String(pid)], { encoding: 'utf8' }).stdout;
  return /:\s*(\S+)\s*$/.exec(out.trim())?.[1] ?? 'unknown';
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size and its peak, in bytes, from /proc/<pid>/status. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds the whole machine has been busy (all CPUs, all processes), from /proc/stat. */
export function machineBusySeconds(): number {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: busy is all but idle and iowait.
    const busy = fields.slice(0, 8).reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + value), 0);
    return busy / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/** The pid of a direct child of this process whose command name is `name` (e.g. the database). */
export function childPid(name: string): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === name && ppid === process.pid) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return null;
}

/** Children still running: ended if the benchmark is interrupted, so no server outlives it. */
const liveChildren = new Set<ChildProcess>();

export function killChildren(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  liveChildren.clear();
}
process.once('exit', killChildren);

export interface ServerProcess {
  label: string;
  pid: number;
  url: string;
  cpus: CpuChoice;
  /** The last lines the server printed (for error reports). */
  output(): string;
  /** Freezes the process (SIGSTOP), so that it uses no CPU while another server is measured. */
  pause(): void;
  /** Lets a paused process run again (SIGCONT). */
  resume(): void;
  stop(): Promise<void>;
}

export interface StartServerOptions {
  label: string;
  /** The script to run with node. */
  entry: string;
  env: Record<string, string>;
  cpus: CpuChoice;
  nodeArgs?: string[];
  logFile: string;
  cwd: string;
}

/** Starts a server (pinned with taskset where possible) on a free port and waits for /readyz. */
export async function startServer(options: StartServerOptions): Promise<ServerProcess> {
  const port = await freePort();
  const nodeArgs = [...(options.nodeArgs ?? []), options.entry];
  const pinned = hasTaskset && options.cpus !== 'any';
  const [command, args] = pinned ? ['taskset', ['-c', options.cpus, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveChildren.add(child);
  const log = createWriteStream(options.logFile);
  let tail = '';
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null = null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      exited = code ?? (signal ? 128 : 1);
      log.end();
      resolve();
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`${options.label} exited with ${exited} before it was ready:\n${tail}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.label} was not ready within 60 s:\n${tail}`);
    }
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.label} has no pid`);
  let paused = false;
  const pause = () => {
    if (exited !== null || paused) return;
    child.kill('SIGSTOP');
    paused = true;
  };
  const resume = () => {
    if (exited !== null || !paused) return;
    child.kill('SIGCONT');
    paused = false;
  };
  return {
    label: options.label,
    pid,
    url,
    cpus: pinned ? affinity(pid) : 'any',
    output: () => tail,
    pause,
    resume,
    async stop() {
      if (exited !== null) return;
      // A stopped process does not act on SIGTERM until it runs again.
      resume();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Runs a command to completion, inheriting stdio; throws on failure. */
export function run(command: string, args: string[], options: { cwd: string; env?: Record<string, string> }): void {
  const result = spawnSync(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with ${result.status ?? result.signal}`);
}

/** Runs a command and returns what it printed. */
export function capture(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): string {
  const result = spawnSync(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
}

/** CPU (fraction of one core) a server and the database use while nobody sends requests. */
export async function idleCpu(server: ServerProcess, dbPid: number | null, seconds = 3): Promise<IdleCpu> {
  const before = { server: cpuSecondsOf(server.pid), db: dbPid ? cpuSecondsOf(dbPid) : Number.NaN };
  await sleep(seconds * 1000);
  return {
    label: server.label,
    server: (cpuSecondsOf(server.pid) - before.server) / seconds,
    db: dbPid ? (cpuSecondsOf(dbPid) - before.db) / seconds : Number.NaN,
    rss: memoryOf(server.pid).rss,
  };
}

export interface IdleCpu {
  label: string;
  server: number;
  db: number;
  rss: number;
}
