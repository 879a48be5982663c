// ImplementationContainer: one server under test in Docker, in the testcontainers module style.
import { existsSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import {
  AbstractStartedContainer,
  GenericContainer,
  getContainerRuntimeClient,
  type BoundPorts,
  type StartedTestContainer,
  type WaitStrategy,
} from "testcontainers";
import { docker, MEMORY_LIMIT_GIB, PIDS_LIMIT } from "./docker.js";
import { trustOf, type Pki, type TlsTrust } from "../client/tls.js";

/** How a server's process ended. */
export interface ExitStatus {
  exitCode: number;
  /** When the process ended (ms since epoch, from the engine). */
  finishedAt: number;
}

/** The server's port when it has a network of its own and the engine publishes it. */
export const CONTAINER_PORT = 3000;

/** Where the `tls` profile's PEM files are inside the container ($TLS_CERT, $TLS_KEY). */
export const TLS_PATHS = { TLS_CERT: "/tls/cert.pem", TLS_KEY: "/tls/key.pem" };

/**
 * A network namespace that the run's servers share (harness/run/pod.ts): a server joins it on a port
 * of its own, and the host reaches it at `host`, the pod's bridge address.
 */
export interface Pod {
  id: string;
  host: string;
}

interface Endpoint {
  host: string;
  port: number;
}

/**
 * Tells testcontainers where published ports answer, before its client starts (once per process,
 * before the first container starts: harness/run/broker.ts and scripts/fuzz.ts). Left to itself,
 * where /.dockerenv exists (this machine kind has one) and the engine's bridge network names no
 * gateway (Debian's 20.10 engine), it pulls and runs alpine:3.14 to read the default route: a
 * registry pull on every run. With a pod, servers are reached at the pod's address and that host
 * is never used; otherwise it is the bridge's first address, which is the gateway the engine
 * assigns and what alpine's route would say. A TESTCONTAINERS_HOST_OVERRIDE or a DOCKER_HOST that
 * is not a local socket is left alone.
 */
async function pinEngineHost(pod?: Pod) {
  const env = process.env;
  if (env.TESTCONTAINERS_HOST_OVERRIDE || (env.DOCKER_HOST && !env.DOCKER_HOST.startsWith("unix:"))) return;
  if (pod) {
    env.TESTCONTAINERS_HOST_OVERRIDE = pod.host;
    return;
  }
  if (!existsSync("/.dockerenv")) return;
  const ipam = await docker("network", "inspect", "bridge", "--format", "{{range .IPAM.Config}}{{.Gateway}} {{.Subnet}}{{end}}").catch(() => "");
  const [gateway, subnet = ""] = ipam.split(" ");
  const network = /^(\d+\.\d+\.\d+)\.(\d+)\/\d+$/.exec(subnet);
  if (!gateway && network) env.TESTCONTAINERS_HOST_OVERRIDE = `${network[1]}.${Number(network[2]) + 1}`;
}

/** pinEngineHost, once: its first caller's pod is the run's. */
let engineHost: Promise<void> | undefined;

/** Ports in a pod: one process (the run's broker) hands them out, each once. */
let nextPort = 0;
const podPort = () => 20_000 + (nextPort++ % 40_000);

export class ImplementationContainer extends GenericContainer {
  private trust?: TlsTrust;
  private readonly health: Health;
  private readonly pod?: Pod;

  /**
   * In `pod`, the server joins the pod's network on a port of its own: no network namespace, bridge
   * port or port mapping to create, which is most of what a start costs the engine. Without one, it
   * gets a network of its own and the engine publishes its port.
   */
  constructor(image: string, pod?: Pod) {
    super(image);
    this.pod = pod;
    const port = pod ? podPort() : CONTAINER_PORT;
    const where = pod
      ? async () => ({ host: pod.host, port })
      : async (bound: BoundPorts) => ({ host: (await getContainerRuntimeClient()).info.containerRuntime.host, port: bound.getBinding(CONTAINER_PORT) });
    this.health = new Health(where);
    // Its IPC namespace too (no server uses System V IPC or /dev/shm): one less mount to make.
    if (pod) this.withNetworkMode(`container:${pod.id}`).withIpcMode(`container:${pod.id}`);
    else this.withExposedPorts(CONTAINER_PORT);
    this.withEnvironment({ PORT: String(port) })
      .withWaitStrategy(this.health)
      .withStartupTimeout(30_000)
      .withResourcesQuota({ memory: MEMORY_LIMIT_GIB })
      .withPidsLimit(PIDS_LIMIT);
  }

  withPidsLimit(limit: number): this {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`pids limit must be a positive integer, got ${limit}`);
    this.hostConfig.PidsLimit = limit;
    return this;
  }

  /**
   * The `tls` profile: copies the certificate and key in, read-only (mode 0444; a copy, not a bind
   * mount, so a remote DOCKER_HOST works too), sets TLS_CERT and TLS_KEY, and waits on /health
   * over HTTPS.
   */
  withTls(pki: Pki): this {
    this.trust = trustOf(pki);
    this.health.tls = true;
    return this.withCopyContentToContainer([
      { content: pki.cert, target: TLS_PATHS.TLS_CERT, mode: 0o444 },
      { content: pki.key, target: TLS_PATHS.TLS_KEY, mode: 0o444 },
    ]).withEnvironment(TLS_PATHS);
  }

  override async start(): Promise<StartedImplementationContainer> {
    engineHost ??= pinEngineHost(this.pod);
    await engineHost;
    const started = await super.start();
    return new StartedImplementationContainer(started, this.health.endpoint!, this.trust);
  }
}

type EngineContainer = Parameters<WaitStrategy["waitUntilReady"]>[0];

/**
 * What the server has written to stdout and stderr, as `docker logs` shows it; read when a report
 * needs it rather than streamed all along. Without a TTY the engine frames each chunk: a stream
 * byte, three zero bytes, and the chunk's length (4 bytes, big-endian).
 */
async function logText(container: EngineContainer): Promise<string> {
  const framed = await container.logs({ stdout: true, stderr: true, follow: false });
  const chunks: Buffer[] = [];
  for (let at = 0; at + 8 <= framed.length; ) {
    const size = framed.readUInt32BE(at + 4);
    chunks.push(framed.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(chunks).toString();
}

/**
 * GET /health's status; 0 when it does not answer within a second, and "not TLS" when an HTTPS
 * request got bytes that are no TLS record (OpenSSL's EPROTO: a cleartext server's answer).
 */
function healthStatus({ host, port }: Endpoint, tls: boolean) {
  return new Promise<number | "not TLS">((resolve) => {
    const options = { host, port, path: "/health", agent: false, timeout: 1000, rejectUnauthorized: false };
    const req = (tls ? https : http).get(options, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", (e: NodeJS.ErrnoException) => resolve(tls && e.code === "EPROTO" ? "not TLS" : 0));
  });
}

/**
 * Waits until GET /health answers 200 (over HTTPS with the `tls` profile, trusting any
 * certificate). Gives up at once when the server exits, or when it answers /health in cleartext
 * although it was given TLS_CERT and TLS_KEY: waiting out the start-up allowance would not change
 * either.
 */
class Health implements WaitStrategy {
  tls = false;
  endpoint?: Endpoint;
  private timeoutMs = 30_000;
  private timeoutSet = false;

  constructor(private readonly where: (bound: BoundPorts) => Promise<Endpoint>) {}

  withStartupTimeout(ms: number): this {
    this.timeoutMs = ms;
    this.timeoutSet = true;
    return this;
  }
  isStartupTimeoutSet = () => this.timeoutSet;
  getStartupTimeout = () => this.timeoutMs;

  async waitUntilReady(...[container, bound]: Parameters<WaitStrategy["waitUntilReady"]>) {
    try {
      await this.poll(container, bound);
    } catch (e) {
      // testcontainers removes the container next: keep what it wrote, for the report.
      throw Object.assign(e as Error, { log: await logText(container).catch(() => "") });
    }
  }

  private async poll(container: EngineContainer, bound: BoundPorts) {
    const endpoint = await this.where(bound);
    this.endpoint = endpoint;
    const deadline = Date.now() + this.timeoutMs;
    for (let poll = 1; ; poll++) {
      const status = await healthStatus(endpoint, this.tls);
      if (status === 200) return;
      // Only a server that answered TLS with cleartext is asked in cleartext: an HTTPS probe that
      // timed out on a busy machine says nothing about TLS.
      if (status === "not TLS" && (await healthStatus(endpoint, false)) === 200) {
        throw new Error("GET /health answered 200 in cleartext: the server ignored TLS_CERT and TLS_KEY");
      }
      if (Date.now() > deadline) throw new Error(`GET /health did not answer 200 within ${this.timeoutMs / 1000} s`);
      if (poll % 10 === 0) {
        const { State } = await container.inspect();
        if (!State.Running) throw new Error(`the server exited with status ${State.ExitCode} before GET /health answered 200`);
      }
      await sleep(50);
    }
  }
}

export class StartedImplementationContainer extends AbstractStartedContainer {
  constructor(
    started: StartedTestContainer,
    private readonly endpoint: Endpoint,
    /** Set when the server was started with the `tls` profile's certificate: what a client trusts. */
    readonly tls?: TlsTrust,
  ) {
    super(started);
  }

  get baseUrl() {
    return `${this.tls ? "https" : "http"}://${this.endpoint.host}:${this.endpoint.port}`;
  }

  private async docker() {
    return (await getContainerRuntimeClient()).container.getById(this.getId());
  }

  /** What the server has written to stdout and stderr so far. */
  async log(): Promise<string> {
    return logText(await this.docker());
  }

  /** Sends a signal to the server (PID 1 in the container). */
  async signal(signal: "SIGTERM" | "SIGINT") {
    await (await this.docker()).kill({ signal });
  }

  /** Waits for the process to exit; undefined if it is still running after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ExitStatus | undefined> {
    const container = await this.docker();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { State } = await container.inspect();
      if (!State.Running) return { exitCode: State.ExitCode, finishedAt: Date.parse(State.FinishedAt) };
      if (Date.now() > deadline) return undefined;
      await sleep(50);
    }
  }
}
