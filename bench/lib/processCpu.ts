/**
 * CPU time used by a process group (Linux /proc), to tell whether a node under test was saturated
 * or waiting during a run. Groups, because `npx hardhat node` is a launcher process plus the node.
 *
 * Besides the group's total (all threads: JS, GC helpers, libuv pool, workers, Hardhat's EDR
 * threads), it reads each process's main thread, where a Node program's JavaScript runs: a main
 * thread near 100% of a core is the node's ceiling whatever the other core does.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Linux reports utime/stime in clock ticks; USER_HZ is 100 on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

export interface GroupCpu {
  /** User + system CPU seconds of every thread of every process in the group. */
  totalSeconds: number;
  /** Per process id: CPU seconds of its main thread. */
  mainThreadSeconds: Map<number, number>;
}

function statTicks(path: string): { ppid: number; pgrp: number; ticks: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(path, "latin1");
  } catch {
    return undefined; // exited meanwhile
  }
  // "pid (comm) state ppid pgrp ..." where comm may hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { ppid: Number(fields[1]), pgrp: Number(fields[2]), ticks: Number(fields[11]) + Number(fields[12]) }; // utime, stime
}

/** Ids of the processes in group `pgid` (with their stat reading); undefined off Linux. */
function groupProcesses(pgid: number): { pid: number; ticks: number }[] | undefined {
  return processesWhere((process) => process.pgrp === pgid);
}

function processesWhere(member: (process: { ppid: number; pgrp: number }) => boolean): { pid: number; ticks: number }[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  const members: { pid: number; ticks: number }[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const process = statTicks(`/proc/${entry}/stat`);
    if (process !== undefined && member(process)) members.push({ pid: Number(entry), ticks: process.ticks });
  }
  return members;
}

/** CPU time of process group `pgid` so far; undefined off Linux. */
export function processGroupCpu(pgid: number): GroupCpu | undefined {
  return cpuOf(groupProcesses(pgid));
}

/** CPU time so far of the processes `parent` started (validator processes a benchmark spawned); undefined off Linux. */
export function childProcessesCpu(parent: number): GroupCpu | undefined {
  return cpuOf(processesWhere((process) => process.ppid === parent));
}

function cpuOf(members: { pid: number; ticks: number }[] | undefined): GroupCpu | undefined {
  if (members === undefined) return undefined;
  let ticks = 0;
  const mainThreadSeconds = new Map<number, number>();
  for (const { pid, ticks: processTicks } of members) {
    ticks += processTicks;
    const main = statTicks(`/proc/${pid}/task/${pid}/stat`);
    if (main !== undefined) mainThreadSeconds.set(pid, main.ticks / TICKS_PER_SECOND);
  }
  return { totalSeconds: ticks / TICKS_PER_SECOND, mainThreadSeconds };
}

/** Resident memory of every process in group `pgid`, in bytes (worker threads included); undefined off Linux. */
export function processGroupRss(pgid: number): number | undefined {
  const members = groupProcesses(pgid);
  if (members === undefined) return undefined;
  let bytes = 0;
  for (const { pid } of members) {
    try {
      const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "latin1"))?.[1];
      bytes += Number(kib ?? 0) * 1024;
    } catch {
      // exited meanwhile
    }
  }
  return bytes;
}

/** CPU used between two readings: the group's total and its busiest main thread, in seconds. */
export function cpuBetween(before: GroupCpu, after: GroupCpu): { totalSeconds: number; busiestMainThreadSeconds: number } {
  let busiest = 0;
  for (const [pid, seconds] of after.mainThreadSeconds) {
    busiest = Math.max(busiest, seconds - (before.mainThreadSeconds.get(pid) ?? 0));
  }
  return { totalSeconds: after.totalSeconds - before.totalSeconds, busiestMainThreadSeconds: busiest };
}
