// The client reads while it writes: a 413 that reached this machine before the connection was
// reset is the answer, even when the client was too busy to read it before the reset arrived.
// The server, in a process of its own, answers as Go's net/http does (RFC 9112 §9.6): the response
// once part of the body is in, a half-close, a pause, then a close that resets the connection,
// since the rest of the body is unread. Meanwhile it stops this process (SIGSTOP) from just before
// its answer until just after the reset, as a loaded machine deschedules a client, so that the
// answer and the reset are both waiting when the client runs again, most likely between two writes.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Api } from "../../harness/client/http.js";

/** The 413's status line and headers up to the length, escaped for a string literal in SERVER. */
const HEAD_413 = "HTTP/1.1 413 Content Too Large\\r\\nContent-Type: application/problem+json\\r\\nContent-Length: ";

const SERVER = `
const net = require("node:net");
const answer = process.argv[1] === "answer";
const client = Number(process.argv[2]);
const body = JSON.stringify({ type: "about:blank", title: "Content Too Large", status: 413 });
net.createServer((socket) => {
  let seen = 0;
  socket.on("error", () => {});
  socket.on("data", (chunk) => {
    seen += chunk.length;
    if (seen < 128 * 1024 || socket.answered) return;
    socket.answered = true;
    socket.pause(); // read nothing more: the rest of the body stays unread, so the close resets
    if (!answer) return socket.resetAndDestroy();
    process.kill(client, "SIGSTOP");
    socket.end("${HEAD_413}" + body.length + "\\r\\nConnection: close\\r\\n\\r\\n" + body);
    setTimeout(() => (socket.resetAndDestroy(), setTimeout(() => process.kill(client, "SIGCONT"), 50)), 100);
  });
}).listen(0, "127.0.0.1", function () { console.log(this.address().port); });
`;

const servers: ChildProcess[] = [];
async function server(mode: "answer" | "reset") {
  const child = spawn(process.execPath, ["-e", SERVER, mode, String(process.pid)], { stdio: ["ignore", "pipe", "inherit"] });
  servers.push(child);
  const [port] = (await once(child.stdout!, "data")) as [Buffer];
  return `http://127.0.0.1:${String(port).trim()}`;
}
let answering: string;
let resetting: string;
beforeAll(async () => ([answering, resetting] = await Promise.all([server("answer"), server("reset")])));
afterAll(() => {
  for (const s of servers) s.kill();
});

const large = Buffer.alloc(1_048_577, " ");

test("a 413 sent before a reset is read, however late the client runs again", async () => {
  for (let i = 0; i < 5; i++) {
    const res = await new Api(answering).request("POST", "/api/users", { body: large, headers: { "content-type": "application/json" }, validate: false });
    expect(res.status).toBe(413);
  }
});

test("a reset without an answer fails, naming what the client saw", async () => {
  const request = new Api(resetting).request("POST", "/api/users", { body: large, headers: { "content-type": "application/json" }, validate: false });
  await expect(request).rejects.toThrow(/closed the connection while the body was being sent .* and no response was read/);
});
