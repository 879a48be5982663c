// Memory of a server under test, read from the host: the process' resident set (/proc/<pid>/status:
// VmRSS now, VmHWM its peak) and the container's memory cgroup (v1 or v2). And the seed article's
// idle-connection claim: open N keep-alive connections, measure, close.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { ROOT } from "../base/paths.js";
import { HOST } from "./server.js";
import type { IdleConnections } from "./types.js";

export interface Rss {
  rss: number;
  hwm: number;
}

export function rssOf(pid: number): Rss {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** The memory cgroup's usage and peak in bytes, or nulls when this host does not show them. */
export function cgroupOf(pid: number): { usage: number | null; peak: number | null } {
  const none = { usage: null, peak: null };
  let lines: string[];
  try {
    lines = readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n");
  } catch {
    return none;
  }
  const read = (file: string) => (existsSync(file) ? Number(readFileSync(file, "utf8").trim()) : null);
  const v1 = lines.map((l) => l.split(":")).find((p) => p[1]?.split(",").includes("memory"));
  if (v1) {
    const dir = join("/sys/fs/cgroup/memory", v1[2]!);
    return { usage: read(join(dir, "memory.usage_in_bytes")), peak: read(join(dir, "memory.max_usage_in_bytes")) };
  }
  const v2 = lines.find((l) => l.startsWith("0::"));
  if (v2) {
    const dir = join("/sys/fs/cgroup", v2.slice(3));
    return { usage: read(join(dir, "memory.current")), peak: read(join(dir, "memory.peak")) };
  }
  return none;
}

/**
 * CPU time the container has used so far, in seconds: the cpuacct cgroup (v1) or cpu.stat (v2),
 * nanosecond-precise; else the process' utime + stime from /proc (10 ms ticks); null if neither.
 */
export function cpuSecondsOf(pid: number): number | null {
  try {
    const lines = readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n");
    const v1 = lines.map((l) => l.split(":")).find((p) => p[1]?.split(",").includes("cpuacct"));
    const v1File = v1 && join("/sys/fs/cgroup/cpuacct", v1[2]!, "cpuacct.usage");
    if (v1File && existsSync(v1File)) return Number(readFileSync(v1File, "utf8").trim()) / 1e9;
    const v2 = lines.find((l) => l.startsWith("0::"));
    const v2File = v2 && join("/sys/fs/cgroup", v2.slice(3), "cpu.stat");
    if (v2File && existsSync(v2File)) {
      const usec = /^usage_usec (\d+)/m.exec(readFileSync(v2File, "utf8"))?.[1];
      if (usec) return Number(usec) / 1e6;
    }
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return null;
  }
}

/**
 * Opens `count` keep-alive connections from a client pinned to `cpus`, each after one
 * GET /health, then reads the server's RSS and cgroup, holds them `holdSeconds`, counts how many
 * the server closed meanwhile, and closes them all. Bounded by a 90 s deadline.
 */
export async function idleConnections(pid: number, port: number, count: number, cpus: string, holdSeconds: number): Promise<IdleConnections> {
  await sleep(300); // let the server settle after its start
  const before = rssOf(pid);
  const cgBefore = cgroupOf(pid).usage;
  const client = join(ROOT, "harness", "bench", "idle-client.ts");
  const deadlineMs = 90_000;
  // The client needs one descriptor per connection; raise its soft limit up to the hard one.
  const script = `ulimit -n ${count + 1000} 2>/dev/null || ulimit -n $(ulimit -Hn); exec taskset -c ${cpus} "$0" --import tsx "$@"`;
  const child = spawn("sh", ["-c", script, process.execPath, client, HOST, String(port), String(count), "200", String(deadlineMs)], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines = createInterface({ input: child.stdout });
  const queue: Record<string, unknown>[] = [];
  let wake: (() => void) | undefined;
  lines.on("line", (l) => {
    try {
      queue.push(JSON.parse(l));
    } catch {
      return;
    }
    wake?.();
  });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c));
  const exited = new Promise<void>((r) =>
    child.on("close", () => {
      r();
      wake?.();
    }),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const until = Date.now() + deadlineMs;
  const next = async (event: string) => {
    for (;;) {
      const i = queue.findIndex((e) => e.event === event);
      if (i >= 0) return queue.splice(i, 1)[0]!;
      if (gone || Date.now() > until) throw new Error(`idle-connection client: no "${event}" (${stderr.trim().split("\n").pop() ?? "no output"})`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 200);
      });
    }
  };
  try {
    const opened = (await next("opened")) as { held: number; failed: number; ms: number };
    await sleep(500); // let the server's allocations for the last connections land
    const after = rssOf(pid);
    const cgAfter = cgroupOf(pid).usage;
    child.stdin.write("count\n");
    const atMeasure = (await next("count")) as { open: number };
    await sleep(holdSeconds * 1000);
    child.stdin.write("count\n");
    const later = (await next("count")) as { open: number; closedByServer: number };
    child.stdin.write("close\n");
    await next("closed").catch(() => undefined);
    const held = atMeasure.open;
    const per = (a: number | null, b: number | null) => (a !== null && b !== null && held > 0 ? (b - a) / held : null);
    const result: IdleConnections = {
      requested: count,
      held,
      failed: opened.failed,
      closedByServerDuringHold: later.closedByServer,
      holdSeconds,
      rssBeforeBytes: before.rss,
      rssAfterBytes: after.rss,
      rssPerConnectionBytes: per(before.rss, after.rss),
      cgroupBeforeBytes: cgBefore,
      cgroupAfterBytes: cgAfter,
      cgroupPerConnectionBytes: per(cgBefore, cgAfter),
    };
    const notes = [`opened in ${(opened.ms / 1000).toFixed(1)} s`];
    if (held < count) notes.push(`${count - held} of ${count} not held at the measurement (${opened.failed} failed to open)`);
    if (later.closedByServer) notes.push(`the server closed ${later.closedByServer} in the ${holdSeconds} s hold (its keep-alive timeout)`);
    result.note = notes.join("; ");
    return result;
  } finally {
    if (!gone) child.kill("SIGKILL");
    await Promise.race([exited, sleep(2000)]);
  }
}
