// Opens N keep-alive connections to a server, sends one GET /health on each, and holds them idle.
// Run by resources.ts as a child pinned to the generator's core. It speaks one JSON line per event
// on stdout and obeys one word per line on stdin: "count" (how many are still open), "close".
// Bounded: at most `concurrency` connects in flight, every socket times out, and the whole
// client exits after `deadlineMs` whatever happens.
import { connect, type Socket } from "node:net";
import { createInterface } from "node:readline";

const [host = "127.0.0.1", portArg = "", countArg = "0", concurrencyArg = "200", deadlineArg = "60000"] = process.argv.slice(2);
const port = Number(portArg);
const count = Number(countArg);
const concurrency = Number(concurrencyArg);
const started = Date.now();
setTimeout(() => process.exit(3), Number(deadlineArg)).unref();

const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
const held = new Set<Socket>();
let failed = 0;
let closedByServer = 0;
let next = 0;
let finishedOpening = false;

/** One connection: resolves once it has a complete 200 and is held, or has failed. */
function open(): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let buf = "";
    let isHeld = false;
    const fail = () => {
      if (!isHeld) {
        failed++;
        socket.destroy();
        resolve();
      }
    };
    socket.setTimeout(10_000, fail);
    socket.on("connect", () => socket.write(`GET /health HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`));
    socket.on("data", (c) => {
      if (isHeld) return;
      buf += c.toString("latin1");
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
      if (buf.length - end - 4 < length) return;
      if (!/^HTTP\/1\.1 200 /.test(buf)) return fail();
      isHeld = true;
      socket.setTimeout(0);
      held.add(socket);
      resolve();
    });
    socket.on("error", fail);
    socket.on("close", () => {
      if (isHeld && held.delete(socket) && finishedOpening) closedByServer++;
      fail();
    });
  });
}

async function pump(): Promise<void> {
  while (next < count) {
    next++;
    await open();
  }
}

await Promise.all(Array.from({ length: Math.min(concurrency, count) }, pump));
finishedOpening = true;
say({ event: "opened", held: held.size, failed, ms: Date.now() - started });

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "count") say({ event: "count", open: held.size, closedByServer });
  if (line === "close") {
    for (const s of held) s.destroy();
    say({ event: "closed" });
    process.exit(0);
  }
});
