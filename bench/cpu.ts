// CPU time of processes on this machine, from Linux /proc: the figure a shared machine disturbs least
// (other processes slow a request down, but do not make it cost the server more CPU).
import { existsSync, readdirSync, readFileSync } from "node:fs";

/** User + system CPU seconds from a /proc/<pid>/stat line (the fields after the command's name). */
function statSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds process `pid` has used, or undefined when it cannot be read (not Linux, gone). */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return statSeconds(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of each PostgreSQL backend serving `database`, by process id. A pool closes backends
 * that sat idle and opens new ones: compare two readings backend by backend (`backendCpuSince`),
 * never as sums, or a backend closed in between takes all its earlier CPU out of the difference.
 */
export function databaseBackendsCpu(database: string | undefined): Map<string, number> {
  const backends = new Map<string, number>();
  if (!database || !existsSync("/proc/self/stat")) return backends;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(` ${database} `)) continue;
      backends.set(pid, statSeconds(readFileSync(`/proc/${pid}/stat`, "utf8")));
    } catch {
      // The backend ended meanwhile.
    }
  }
  return backends;
}

/**
 * CPU seconds the backends used between two readings: a backend still there counts what it added, a
 * new one all it used; one gone meanwhile counts nothing (a pool closes only backends left idle).
 */
export function backendCpuSince(before: Map<string, number>, after: Map<string, number>): number {
  let seconds = 0;
  for (const [pid, now] of after) seconds += now - (before.get(pid) ?? 0);
  return seconds;
}
