// The process's peak resident memory, for the `maxRssMb` of `--json`.
//
// Not `process.resourceUsage().maxRSS` alone: on Linux that is the signal
// struct's high-water mark, which survives execve, so a CLI started by a large
// process (a bench, a supervisor, a shard parent) reports its parent's RSS at
// the fork as its own (measured: one sleeper "used" 310 MB when started from a
// 330 MB bench process). /proc/self/status's VmHWM belongs to the process's own
// address space, made new by execve. Elsewhere, resourceUsage() is what there is.
import { readFileSync } from 'node:fs';

/** Peak RSS of this process in MiB (VmHWM where /proc has it). */
export function peakRssMb(read: (path: string) => string = (path) => readFileSync(path, 'utf8')): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(read('/proc/self/status'));
    if (match !== null) return Number(match[1]) / 1024;
  } catch {
    // no /proc: not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
