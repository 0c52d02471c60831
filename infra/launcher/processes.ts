import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { logsDir } from './paths.js';

/** A child process the launcher owns: its output goes to `.local/logs/<part>.log`. */
export interface ManagedProcess {
  readonly part: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
  isRunning(): boolean;
  stop(graceMs?: number): Promise<void>;
  /** Sends `signal` to the process group (the fault suite's SIGKILL); resolves when it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface LaunchOptions extends Pick<SpawnOptions, 'cwd' | 'env' | 'uid' | 'gid'> {
  readonly part: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Signal for a clean stop (PostgreSQL wants SIGINT, "fast shutdown"). */
  readonly stopSignal?: NodeJS.Signals;
}

export function launch(options: LaunchOptions): ManagedProcess {
  mkdirSync(logsDir, { recursive: true });
  const logFile = join(logsDir, `${options.part}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  log.write(`\n==== ${new Date().toISOString()} ${options.command} ${options.args.join(' ')}\n`);
  // detached: own process group, so a terminal Ctrl-C reaches only the launcher, which then
  // stops the parts in order (services first, PostgreSQL last).
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    uid: options.uid,
    gid: options.gid,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let running = true;
  const exited = new Promise<number | null>((resolveExit) => {
    child.on('error', (error) => {
      log.write(`launch failed: ${error.message}\n`);
      running = false;
      resolveExit(null);
    });
    child.on('exit', (code) => {
      running = false;
      resolveExit(code);
    });
  });
  return {
    part: options.part,
    pid: child.pid ?? -1,
    logFile,
    exited,
    isRunning: () => running,
    stop: (graceMs = 20_000) =>
      stopChild(child, exited, () => running, graceMs, options.stopSignal ?? 'SIGTERM'),
    kill: async (signal = 'SIGKILL') => {
      if (!running || child.pid === undefined) return;
      signalGroup(child.pid, signal);
      await exited;
    },
  };
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<number | null>,
  isRunning: () => boolean,
  graceMs: number,
  stopSignal: NodeJS.Signals,
): Promise<void> {
  if (!isRunning() || child.pid === undefined) return;
  signalGroup(child.pid, stopSignal);
  const timer = new Promise<'timeout'>((resolveTimer) =>
    setTimeout(resolveTimer, graceMs, 'timeout').unref(),
  );
  if ((await Promise.race([exited, timer])) === 'timeout') {
    signalGroup(child.pid, 'SIGKILL');
    await exited;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Runs a command to completion; rejects with its output when it fails. */
export function run(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<string> {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(command, [...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', rejectRun);
    child.on('exit', (code) =>
      code === 0
        ? resolveRun(output)
        : rejectRun(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
}

/** Polls `probe` until it returns true; fails early when the process dies. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; process?: ManagedProcess; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (options.process && !options.process.isRunning()) {
      throw new Error(`exited early, see ${options.process.logFile}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
  throw new Error(
    `not ready after ${options.timeoutMs / 1000}s${options.process ? `, see ${options.process.logFile}` : ''}`,
  );
}

export async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return response.ok;
}
