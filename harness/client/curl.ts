// Turns a recorded request into shell lines that replay it with curl (the `reproduce` of a failure
// in conformance.json, built by harness/report/reproduce.ts, and the line a hung request is named by).
//
// The lines are POSIX sh (bash, dash and zsh run them): every argument from the report is single-
// quoted, a body with characters a terminal or a browser's copy can mangle (control characters,
// invisible or white-space characters beyond the ASCII space) goes through `printf` with octal
// escapes, and the target's base URL is a shell variable set on the first line.
/** A request as a check recorded it (harness/client/http.ts's RecordedExchange). */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** What harness/client/http.ts keeps of a body (a preview of 2,048 bytes, then "… (N bytes)"). */
const PREVIEW_BYTES = 2048;
const TRUNCATED = /… \((\d+) bytes\)$/;

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
        `the rest is ${JSON.stringify(fill)} repeated${close ? `, then ${JSON.stringify(close)}` : ""} ` +
        "(how the suite builds its large bodies), not the bytes sent",
    ],
  };
}

/** Headers curl writes itself from the body it sends. */
const FRAMING = new Set(["content-length", "transfer-encoding"]);
/** node:http sends Content-Length: 0 for a request without a body, except with these methods (curl sends none). */
const NO_DEFAULT_BODY = new Set(["GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"]);

/** A literal piece of a URL inside the double-quoted word, or single-quoted when it holds shell characters. */
const literal = (s: string) => (/^[\w/.~%?&=+,:;@-]*$/.test(s) ? s : `"${shq(s)}"`);

/**
 * The URL as one shell word: "$BASE" then the path, where each /api/users/<id> whose id an earlier
 * response gave (`ids`: recorded id -> shell variable) uses that variable, the recorded id as its default.
 */
function urlWord(base: string, target: string, ids: ReadonlyMap<string, string>): string {
  let word = base;
  let rest = target;
  const USER = /\/api\/users\/(\d+)(?=$|[/?])/;
  for (let m = USER.exec(rest); m && ids.has(m[1]!); m = USER.exec(rest)) {
    word += `${literal(rest.slice(0, m.index + "/api/users/".length))}\${${ids.get(m[1]!)}:-${m[1]}}`;
    rest = rest.slice(m.index + m[0].length);
  }
  return `"${word}${literal(rest)}"`.replace(/""/g, "");
}

/** One curl line for one recorded request, with comment lines before it where the replay differs. */
export function curlLines(request: RecordedRequest, base = "$BASE", ids: ReadonlyMap<string, string> = new Map()): string[] {
  const method = request.method.toUpperCase();
  const headers = Object.entries(request.headers);
  const has = (name: string) => headers.some(([k]) => k.toLowerCase() === name);
  const header = (name: string) => headers.find(([k]) => k.toLowerCase() === name)?.[1];

  // node:http sent new URL(path, base): the WHATWG-normalized path and query, which is what curl gets.
  const u = new URL(request.url, "http://host.invalid");
  const target = u.pathname + u.search;
  const url = urlWord(base, target, ids);

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
    // harness/client/http.ts gives every body a Content-Length unless it is sent chunked.
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
