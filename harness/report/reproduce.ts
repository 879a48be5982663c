// Turns the exchanges a failed check recorded into shell lines that replay them with curl: the
// `reproduce` of a failure in conformance.json, and the "Reproduce" block of the HTML page.
//
// The lines are POSIX sh (bash, dash and zsh run them): every argument from the report is single-
// quoted, a body with characters a terminal or a browser's copy can mangle (control characters,
// invisible or white-space characters beyond the ASCII space) goes through `printf` with octal
// escapes, and the target's base URL is a shell variable set on the first line.
import type { RecordedExchange } from "../http.js";
import type { Report, ReportCheck, ReportTarget } from "../report-types.js";

/** What harness/http.ts keeps of a body (a preview of 2,048 bytes, then "… (N bytes)"). */
const PREVIEW_BYTES = 2048;
const TRUNCATED = /… \((\d+) bytes\)$/;
/** The port the reproducer suggests for a container started by hand (the suite's own, harness/container.ts). */
const PORT = 3000;

/** One shell word: single-quoted, a ' inside becomes '\''. */
export const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Characters that must not be pasted raw: controls, invisible formats, white space other than " ", U+FFFD. */
const MANGLED = /(?! )[\p{C}\p{Z}\uFFFD]/u;

/** Octal escapes of the UTF-8 bytes of one character, for a printf format. */
const octal = (ch: string) => [...Buffer.from(ch)].map((b) => `\\${b.toString(8).padStart(3, "0")}`).join("");
const SIMPLE_ESCAPES: Record<string, string> = { "\n": "\\n", "\t": "\\t", "\r": "\\r", "\\": "\\\\", "%": "%%" };

/** A printf format (not yet quoted) that prints `s` byte for byte. */
export function printfFormat(s: string): string {
  let out = "";
  for (const ch of s) out += SIMPLE_ESCAPES[ch] ?? (MANGLED.test(ch) ? octal(ch) : ch);
  return out;
}

/** The body the request sent, as far as the report knows it. */
interface Body {
  /** The recorded text (the preview's first bytes when truncated). */
  text: string;
  /** The full size in bytes, when the report kept only a preview. */
  size?: number;
  notes: string[];
}

function recordedBody(raw: string): Body {
  const m = TRUNCATED.exec(raw);
  const size = m ? Number(m[1]) : 0;
  const text = m ? raw.slice(0, m.index) : raw;
  const prefixBytes = Buffer.byteLength(text);
  if (m && size > PREVIEW_BYTES && prefixBytes >= PREVIEW_BYTES - 3 && prefixBytes <= PREVIEW_BYTES + 6) {
    return { text, size, notes: [] };
  }
  const notes = raw.includes("\uFFFD")
    ? ["# the body had bytes that are not UTF-8 (or a U+FFFD): the report keeps U+FFFD (EF BF BD) in their place, and so does this line"]
    : [];
  return { text: raw, notes };
}

/** The shell that prints the body on stdout, when it cannot be one --data-binary argument. */
function bodyProducer(body: Body): { producer?: string; notes: string[] } {
  if (body.size === undefined) return { notes: body.notes };
  const kept = Buffer.byteLength(body.text);
  const first = body.text[0] ?? "";
  const close = first === "{" ? "}" : first === "[" ? "]" : first === '"' ? '"' : "";
  const last = body.text.at(-1) ?? " ";
  const fill = /^[\x20-\x7e]$/.test(last) && last !== "\\" ? last : " ";
  const fillBytes = body.size - kept - Buffer.byteLength(close);
  const parts = [`printf ${shq(printfFormat(body.text))}`, `head -c ${fillBytes} /dev/zero | tr '\\0' ${shq(fill)}`];
  if (close) parts.push(`printf ${shq(printfFormat(close))}`);
  return {
    producer: `{ ${parts.join("; ")}; }`,
    notes: [
      `# the report kept the first ${kept.toLocaleString("en")} of the body's ${body.size.toLocaleString("en")} bytes: ` +
        `the rest is ${JSON.stringify(fill)} repeated${close ? `, then ${JSON.stringify(close)}` : ""} (how the suite builds its large bodies), not the bytes sent`,
    ],
  };
}

/** Headers curl writes itself from the body it sends. */
const FRAMING = new Set(["content-length", "transfer-encoding"]);
/** node:http sends Content-Length: 0 for a request without a body, except with these methods (curl sends none). */
const NO_DEFAULT_BODY = new Set(["GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"]);

/** One curl line for one recorded request, with comment lines before it where the replay differs. */
export function curlLines(request: RecordedExchange["request"], base = "$BASE"): string[] {
  const method = request.method.toUpperCase();
  const headers = Object.entries(request.headers);
  const has = (name: string) => headers.some(([k]) => k.toLowerCase() === name);
  const header = (name: string) => headers.find(([k]) => k.toLowerCase() === name)?.[1];

  // node:http sent new URL(path, base): the WHATWG-normalized path and query, which is what curl gets.
  const u = new URL(request.url, "http://host.invalid");
  const target = u.pathname + u.search;
  const url = /^[\w/.~%?&=+,:;@-]*$/.test(target) ? `"${base}${target}"` : `"${base}"${shq(target)}`;

  const args = ["curl", "-sS", method === "HEAD" ? "-I" : "-i", "-m", "30", "-w", shq("\\n")];
  if (/[[\]{}]/.test(target)) args.push("-g"); // no URL globbing
  const body = request.body === undefined ? undefined : recordedBody(request.body);
  if (method !== "HEAD" && method !== (body ? "POST" : "GET")) args.push("-X", method);
  args.push(url);

  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (FRAMING.has(lower)) continue;
    if (lower === "connection" && value.toLowerCase() === "close") continue; // each curl is one connection anyway
    args.push("-H", shq(value === "" ? `${name};` : `${name}: ${value}`));
  }
  const notes: string[] = [];
  let stdin: string | undefined;
  if (body) {
    // harness/http.ts gives every body a Content-Length unless it is sent chunked.
    const chunked = !has("content-length") || /chunked/i.test(header("transfer-encoding") ?? "");
    if (chunked) args.push("-H", shq("Transfer-Encoding: chunked"));
    else {
      const declared = Number(header("content-length"));
      const actual = body.size ?? Buffer.byteLength(body.text);
      if (declared !== actual) args.push("-H", shq(`content-length: ${header("content-length")}`));
    }
    if (!has("content-type")) args.push("-H", shq("Content-Type:")); // curl would add application/x-www-form-urlencoded
    // curl asks for 100-continue before a large body (over 1 KiB in older versions, 1 MiB in newer ones); node does not.
    if (!has("expect") && (body.size ?? Buffer.byteLength(body.text)) > 1024) args.push("-H", shq("Expect:"));
    const { producer, notes: bodyNotes } = bodyProducer(body);
    notes.push(...bodyNotes);
    // A --data-binary argument starting with @ names a file; anything MANGLED goes through printf.
    if (producer) stdin = producer;
    else if (body.text.startsWith("@") || MANGLED.test(body.text)) stdin = `printf ${shq(printfFormat(body.text))}`;
    args.push("--data-binary", stdin ? "@-" : shq(body.text));
  } else if (!NO_DEFAULT_BODY.has(method)) {
    args.push("-H", shq("Content-Length: 0"));
  } else if (has("content-length")) {
    args.push("-H", shq(`content-length: ${header("content-length")}`));
  }
  const line = args.join(" ");
  return [...notes, stdin ? `${stdin} | ${line}` : line];
}

/** How the reproducer reaches a server like the one the run checked. */
function baseLines(target: ReportTarget): string[] {
  if (target.url) return [`BASE="\${BASE:-${new URL(target.url).origin}}"`];
  const image = target.image ?? "<image>";
  const built = target.kind === "implementation" ? ` (built by: CONFORMANCE_TARGETS=${target.name} npm run conformance)` : "";
  return [
    `# the run's container is gone: start one in another shell${built}, or set BASE to your server`,
    `#   docker run --rm -p 127.0.0.1:${PORT}:${PORT} -e PORT=${PORT} ${image}`,
    `BASE="\${BASE:-http://127.0.0.1:${PORT}}"`,
  ];
}

/** Shell lines that replay a failed check's exchanges against `$BASE`, or undefined when it did not fail. */
export function reproducer(target: ReportTarget, check: ReportCheck): string[] | undefined {
  if (check.outcome !== "failed") return undefined;
  const exchanges = check.exchanges ?? [];
  const lines = [`# ${check.id} against ${target.name}: ${check.reason ?? "failed"}`.replace(/[\r\n]+/g, " "), ...baseLines(target)];
  if (!exchanges.length) {
    lines.push("# no HTTP exchange was recorded: the server did not answer in time or did not start; its log is in the report", `curl -sS -i -m 30 "$BASE/health"`);
    return lines;
  }
  if (exchanges.length >= 20) lines.push("# the report keeps a check's last 20 exchanges: earlier ones are not replayed");
  if (exchanges.length > 1) lines.push("# the requests of the run, in order: ids and e-mails are the run's (another server may give other ids; a second paste may meet 409)");
  for (const x of exchanges) lines.push(...curlLines(x.request));
  return lines;
}

/** Sets `reproduce` on every failed check of the report (in place); returns the report. */
export function addReproducers(report: Report): Report {
  for (const target of report.targets) {
    for (const check of target.checks) {
      const lines = reproducer(target, check);
      if (lines) check.reproduce = lines;
    }
  }
  return report;
}
