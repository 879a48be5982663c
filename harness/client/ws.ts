// The `websocket` profile's client (ws): a socket on GET /api/users/events that keeps every
// message in arrival order, answers to pings it sends, and how the server closed it.
import WebSocket from "ws";
import { CheckError } from "../base/check-error.js";
import type { TlsTrust } from "./tls.js";

export const EVENTS_PATH = "/api/users/events";

/**
 * A message of the `websocket` profile's stream as checks read it. Nothing validates it (the spec
 * describes HTTP only), so any member may be missing or of another type.
 */
export interface ChangeMessage {
  type?: string;
  id?: number;
  user?: { id?: number };
}

export interface Message {
  /** The parsed JSON of a text message; undefined for binary or malformed messages. */
  json?: ChangeMessage;
  /** What was wrong with it, if anything. */
  problem?: string;
}

export interface Closed {
  /** 1006 when the connection ended without a close frame, 1005 for a close frame without a code. */
  code: number;
  reason: string;
  at: number;
}

export class EventStream {
  readonly messages: Message[] = [];
  readonly closed: Promise<Closed>;
  private waiters = new Set<() => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (data: Buffer, binary: boolean) => {
      const message: Message = {};
      if (binary) message.problem = "a binary message, expected JSON text";
      else {
        try {
          message.json = JSON.parse(data.toString("utf8"));
        } catch {
          message.problem = `a text message that is not JSON: ${JSON.stringify(data.subarray(0, 80).toString())}`;
        }
      }
      this.messages.push(message);
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) => socket.on("close", (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })));
  }

  /** Opens a socket (wss: for https: base URLs); rejects with a one-line reason when there is no 101. */
  static open(baseUrl: string, trust?: TlsTrust): Promise<EventStream> {
    const url = new URL(EVENTS_PATH, baseUrl.replace(/^http/, "ws"));
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { ...trust, handshakeTimeout: 5000 });
      socket.on("unexpected-response", (_req, res) => {
        res.resume();
        reject(new CheckError(`GET ${EVENTS_PATH} with an RFC 6455 upgrade was answered ${res.statusCode}, not 101 Switching Protocols`));
        socket.terminate();
      });
      socket.on("error", (e) => reject(new CheckError(`GET ${EVENTS_PATH} with an RFC 6455 upgrade: ${e.message}`)));
      socket.on("open", () => resolve(new EventStream(socket)));
    });
  }

  /**
   * Waits until `count` messages that `pick` accepts have arrived (at most `timeoutMs`) and returns
   * them in arrival order, with any that were not JSON text: fewer than `count` on timeout.
   */
  async collect(pick: (json: ChangeMessage | undefined) => boolean, count: number, timeoutMs = 5000): Promise<Message[]> {
    const picked = () => this.messages.filter((m) => m.problem || pick(m.json));
    const deadline = Date.now() + timeoutMs;
    while (picked().length < count && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, deadline - Date.now());
        this.waiters.add(wake);
      });
    }
    return picked();
  }

  /** Sends a ping with `payload`; resolves with the payload of the first pong, or undefined after `timeoutMs`. */
  ping(payload: Buffer, timeoutMs = 3000): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      this.socket.once("pong", (data: Buffer) => {
        clearTimeout(timer);
        resolve(data);
      });
      this.socket.ping(payload);
    });
  }

  close() {
    this.socket.terminate();
  }
}
