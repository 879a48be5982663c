// ImplementationContainer: one server under test in Docker, in the testcontainers module style.
import {
  AbstractStartedContainer,
  GenericContainer,
  Wait,
  getContainerRuntimeClient,
  type StartedTestContainer,
  type WaitStrategy,
} from "testcontainers";
import { trustOf, type Pki, type TlsTrust } from "./tls.js";

export const CONTAINER_PORT = 3000;

/** Where the `tls` profile's PEM files are inside the container ($TLS_CERT, $TLS_KEY). */
export const TLS_PATHS = { TLS_CERT: "/tls/cert.pem", TLS_KEY: "/tls/key.pem" };

export class ImplementationContainer extends GenericContainer {
  constructor(image: string) {
    super(image);
    this.withExposedPorts(CONTAINER_PORT)
      .withEnvironment({ PORT: String(CONTAINER_PORT) })
      .withWaitStrategy(Wait.forHttp("/health", CONTAINER_PORT).forStatusCode(200))
      .withStartupTimeout(30_000)
      .withResourcesQuota({ memory: 0.5 })
      .withPidsLimit(256);
  }

  withPidsLimit(limit: number): this {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`pids limit must be a positive integer, got ${limit}`);
    this.hostConfig.PidsLimit = limit;
    return this;
  }

  private trust?: TlsTrust;

  /**
   * The `tls` profile: copies the certificate and key in, read-only (mode 0444; a copy, not a bind
   * mount, so a remote DOCKER_HOST works too), sets TLS_CERT and TLS_KEY, and waits on /health
   * over HTTPS.
   */
  withTls(pki: Pki): this {
    this.trust = trustOf(pki);
    return this.withCopyContentToContainer([
      { content: pki.cert, target: TLS_PATHS.TLS_CERT, mode: 0o444 },
      { content: pki.key, target: TLS_PATHS.TLS_KEY, mode: 0o444 },
    ])
      .withEnvironment(TLS_PATHS)
      .withWaitStrategy(new HttpsHealth());
  }

  override async start(): Promise<StartedImplementationContainer> {
    return new StartedImplementationContainer(await super.start(), this.trust);
  }
}

/**
 * Waits on GET /health over HTTPS (testcontainers' own strategy), but gives up at once when the
 * server answers it in cleartext instead: it ignored TLS_CERT and TLS_KEY, and waiting out the
 * start-up allowance would not change that.
 */
class HttpsHealth implements WaitStrategy {
  private readonly https = Wait.forHttp("/health", CONTAINER_PORT).forStatusCode(200).usingTls().allowInsecure();

  withStartupTimeout(ms: number): this {
    this.https.withStartupTimeout(ms);
    return this;
  }
  isStartupTimeoutSet = () => this.https.isStartupTimeoutSet();
  getStartupTimeout = () => this.https.getStartupTimeout();

  async waitUntilReady(...[container, boundPorts]: Parameters<WaitStrategy["waitUntilReady"]>) {
    const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
    const url = `http://${host}:${boundPorts.getBinding(CONTAINER_PORT)}/health`;
    let done = false;
    const https = this.https.waitUntilReady(container, boundPorts);
    https.catch(() => {}); // it may still be polling when the cleartext answer ends the wait
    const cleartext = (async () => {
      while (!done) {
        const status = await fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.status, () => 0);
        if (status === 200) throw new Error("GET /health answered 200 in cleartext: the server ignored TLS_CERT and TLS_KEY");
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    try {
      await Promise.race([https, cleartext]);
    } finally {
      done = true;
    }
  }
}

export interface ExitStatus {
  exitCode: number;
  /** When the process ended (ms since epoch, from the engine). */
  finishedAt: number;
}

export class StartedImplementationContainer extends AbstractStartedContainer {
  constructor(
    started: StartedTestContainer,
    /** Set when the server was started with the `tls` profile's certificate: what a client trusts. */
    readonly tls?: TlsTrust,
  ) {
    super(started);
  }

  get baseUrl() {
    return `${this.tls ? "https" : "http"}://${this.getHost()}:${this.getMappedPort(CONTAINER_PORT)}`;
  }

  private async docker() {
    return (await getContainerRuntimeClient()).container.getById(this.getId());
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
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
