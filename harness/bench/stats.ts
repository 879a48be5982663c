// Medians and spreads of repeated runs. Spread is (max - min) / median: with three runs it is the
// whole range, the plainest number a reader can check by eye.
import type { Stat } from "./types.js";

export function median(xs: number[]): number {
  if (!xs.length) throw new Error("median of nothing");
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function stat(values: number[], threshold: number): Stat {
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const spread = m > 0 ? (max - min) / m : 0;
  return { values, median: m, min, max, spread, flagged: spread > threshold };
}

/** "12,345 (3.1 %)": the median and the spread; "⚠" marks a spread above the threshold. */
export function fmtStat(s: Stat, digits = 0): string {
  return `${fmtNum(s.median, digits)} (${fmtPct(s.spread)})${s.flagged ? " ⚠" : ""}`;
}

export const fmtPct = (x: number) => `${(x * 100).toFixed(1)} %`;

export const fmtNum = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const fmtBytes = (n: number | null | undefined) => {
  if (n === null || n === undefined || !Number.isFinite(n)) return "n/a";
  const a = Math.abs(n);
  if (a >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (a >= 2 ** 20) return `${(n / 2 ** 20).toFixed(2)} MiB`;
  if (a >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
};
