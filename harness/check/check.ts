// A check is data first ({ id, level, profile, section, title }) and then a few asserts. This
// module turns checks into vitest tests, gives them a server to talk to, and records what happened
// for the report. Checks never learn which implementation they run against.
import { afterAll, describe, inject, test, type TestContext } from "vitest";
import { Api, Recorder, send, type RecordedExchange } from "../client/http.js";
import { admit, Server, type ServerHandle } from "../run/servers.js";
import { startApp, supertestTransport } from "../run/app.js";
import { selectedChecks, selects } from "../base/selection.js";
import { CheckError } from "../base/check-error.js";
import { HangWatch, PROBE_MS } from "../client/hang.js";
import type { Pki } from "../client/tls.js";
import type { Expectation, Target, TargetKind } from "../run/targets.js";
import { PROFILES, SECTION_ORDER, type Level, type Profile, type Section } from "../base/catalogue.js";

export interface CheckMeta {
  /** Short and permanent: never reuse or renumber. */
  id: string;
  level: Level;
  /** `core`, or a profile of the catalogue ("a+b" gates when both are claimed). */
  profile: Profile;
  /** The contract heading the check tests. */
  section: Section;
  /** Starts with the level: "MUST answer 404 for ...". */
  title: string;
}

export type Outcome = "passed" | "failed" | "skipped";
export interface CheckResult {
  outcome: Outcome;
  reason?: string;
  /** False when the failure does not fail the run (an unclaimed profile, or an expected failure). */
  gating?: boolean;
  /** Set when implementations/<name>/expectations.json lists the check. */
  expected?: Expectation;
  /** The expectation says fail, but the check passed: the list can shrink. */
  nowPassing?: boolean;
  exchanges?: RecordedExchange[];
  log?: string;
  /**
   * Time spent waiting for a server (a slot in the run's limit, a container start), which is not
   * the check's own time: its time limit covers its requests only.
   */
  waitMs?: number;
  /** What the check counted as it ran (how many sequences and commands, say). */
  note?: string;
}

declare module "vitest" {
  interface ProvidedContext {
    /** Every target of the run; each suite file checks all of them side by side. */
    targets: Target[];
    /** Where the run's container broker answers (harness/run/broker.ts); unset when no target runs in a container. */
    broker?: string;
    /** The run's throwaway CA and server certificate, for the `tls` profile; set with `broker`. */
    pki?: Pki;
  }
}
declare module "@vitest/runner" {
  interface TaskMeta {
    check?: CheckMeta;
    /** The name of the target the check ran against. */
    target?: string;
    result?: CheckResult;
  }
}

/** How the harness starts a server. */
export interface ServerOptions {
  /** The `tls` profile: start it with TLS_CERT and TLS_KEY (a throwaway CA's); its clients speak HTTPS. */
  tls?: boolean;
}

export interface CheckContext {
  /** A client of the suite file's server (fresh for each suite file). */
  api: Api;
  /** Starts another fresh server, for checks that control its lifecycle or need other options. */
  boot(options?: ServerOptions): Promise<{ api: Api; server: ServerHandle }>;
  /**
   * Runs `make` once per suite file and target, and gives every check that asks the same result:
   * for one scenario that several checks read (graceful shutdown).
   */
  once<T>(key: string, make: () => Promise<T>): Promise<T>;
  /** Adds a line to the check's result in the report (what it counted as it ran). */
  note(text: string): void;
}

export interface CheckOptions extends Omit<CheckMeta, "section" | "profile"> {
  profile?: Profile;
  /** Defaults to the suite file's section. */
  section?: Section;
  /**
   * "fresh": assumes an empty server; "lifecycle": sends signals to servers it boots itself and
   * reads their exit status (`ctx.api` is not started for it); "tls": boots a server with the
   * harness's certificate (set for every check of a `tls` section).
   */
  requires?: "fresh" | "lifecycle" | "tls";
  /** The check's own time limit: its requests, not the waits for a server (default 60 s). */
  timeoutMs?: number;
  /**
   * Runs beside the target's other checks instead of after the one before it: for a check that
   * mostly waits out a fixed timer (a 10 s header timeout, a shutdown) and does not depend on what
   * the others do to the server.
   */
  concurrent?: boolean;
}

/** Why a url: or app: target cannot run a check that `requires` something; undefined: it can. */
const NEEDS: Partial<Record<TargetKind, Partial<Record<NonNullable<CheckOptions["requires"]>, string>>>> = {
  url: {
    fresh: "needs a fresh, empty server; a url: target is shared and may hold data",
    lifecycle: "needs control of the server's lifecycle (signals, exit status), which a url: target does not give",
    tls: "needs a server started with the harness's TLS certificate (TLS_CERT, TLS_KEY), which a url: target is not",
  },
  app: {
    lifecycle: "needs a server process to signal and to watch exit, which an app: target, run in this process, does not have",
    tls: "needs a server started with the harness's TLS certificate (TLS_CERT, TLS_KEY), which an app: target, a request listener, is not",
  },
};

/** CONFORMANCE_CHECKS (harness/base/selection.ts). */
const SELECTED = selectedChecks();
const onlyChecks = (id: string) => selects(SELECTED, id);

/**
 * What a test tree may change about how checks run; a conformance run sets none. The suite's test
 * of itself (test/faults) runs the checks against its broken servers through them.
 */
export interface RunHooks {
  /** Extra environment for the target's containers. */
  env?(target: Target): Record<string, string> | undefined;
  /** Whether the check runs against the target at all (CONFORMANCE_CHECKS still applies). */
  runs?(target: Target, id: string): boolean;
  /**
   * Judges the outcome in place of the run's rules (expectations, claimed profiles): true when it
   * has (throwing fails the test), false to leave it to them.
   */
  judge?(target: Target, meta: CheckMeta, error: unknown): boolean;
}
let hooks: RunHooks = {};
/** Sets the hooks of the checks declared from now on in this worker (from a vitest setup file). */
export function useHooks(next: RunHooks) {
  hooks = next;
}

interface Declared {
  meta: CheckMeta;
  requires?: CheckOptions["requires"];
  timeoutMs: number;
  concurrent: boolean;
  fn: (ctx: CheckContext) => Promise<void>;
}

/** Where a server answers, and what its clients trust when it speaks TLS. */
type Endpoint = Pick<Server, "baseUrl" | "tls">;

/**
 * The run's certificates (the `tls` profile): what TLS_CERT holds, and the CA that signed it. Set
 * whenever the run starts containers, which is the only way a `tls` check runs.
 */
export const pki = (): Pki => inject("pki")!;

/**
 * The servers one suite file runs against one target: started on first use, stopped after the
 * file's last check.
 */
class TargetServers {
  private readonly servers: ServerHandle[] = [];
  private shared?: Promise<Endpoint>;
  private readonly memo = new Map<string, Promise<unknown>>();
  /** What the servers that never became healthy, or were stopped when they hung, wrote. */
  private readonly failedLogs: string[] = [];
  /** A slot in the run's limit of targets at once, taken at the first check (harness/run/broker.ts); false: none was needed. */
  private slot?: Promise<boolean>;
  /** Sees every request the file's checks send this target: a server that stops answering fails fast. */
  readonly watch = new HangWatch(
    (baseUrl) => health(baseUrl, this.trust(baseUrl)),
    () => void this.retire(),
  );

  constructor(
    readonly target: Target,
    private readonly broker: string | undefined,
    /** How the suite file's servers start (its section's options). */
    private readonly options: ServerOptions = {},
  ) {}

  /** Waits for this target's slot in the run's limit (once; url: targets and runs without a broker take none). */
  async admit(): Promise<void> {
    const { broker } = this;
    this.slot ??= broker && !this.target.url ? admit(broker).then(() => true) : Promise.resolve(false);
    await this.slot;
  }

  private trust(baseUrl: string) {
    return this.servers.find((s) => s.baseUrl === baseUrl)?.tls;
  }

  /** The target hung: keep what its servers wrote for the report, then stop them, as for a crash. */
  private async retire() {
    this.failedLogs.push(...(await Promise.all(this.servers.map((s) => s.log().catch(() => "")))));
    const servers = this.servers.splice(0);
    await Promise.all(servers.map((s) => s.stop().catch(() => {})));
  }

  async start(options: ServerOptions = this.options): Promise<ServerHandle> {
    const { target } = this;
    if (target.module) {
      const app = await startApp(target.module);
      this.servers.push(app);
      return app;
    }
    if (!this.broker) throw new Error(`${target.name}: no container broker in this run (it starts containers only for implementation and image: targets)`);
    this.watch.assertAnswering();
    const env = hooks.env?.(target);
    const request = { image: target.image!, ...(env ? { env } : {}), ...(options.tls ? { tls: true } : {}) };
    const server = await Server.start(this.broker, request).catch((e: Error & { log?: string }) => {
      if (e.log) this.failedLogs.push(e.log);
      const https = options.tls ? " over HTTPS, with TLS_CERT and TLS_KEY" : "";
      throw new CheckError(
        `${target.name} did not become healthy (${e.message.split("\n")[0]}); ` +
          `it must listen on 0.0.0.0:$PORT and answer GET /health with 200${https} — see its log in the report`,
      );
    });
    this.servers.push(server);
    return server;
  }

  /** What every server started here wrote, including one that never became healthy. */
  async logs(): Promise<string[]> {
    return [...this.failedLogs, ...(await Promise.all(this.servers.map((s) => s.log().catch(() => ""))))];
  }

  /** The suite file's server, started on first use (a url: target's own server otherwise). */
  api = async (recorder: Recorder) => {
    this.shared ??= this.target.url ? Promise.resolve({ baseUrl: this.target.url }) : this.start();
    return this.client(await this.shared, recorder);
  };

  /**
   * A client of one of these servers: over HTTPS, trusting the harness's CA, when it was started
   * with TLS; through supertest for an app: target.
   */
  client(server: Endpoint, recorder: Recorder) {
    const transport = this.target.module ? { transport: supertestTransport } : {};
    return new Api(server.baseUrl, recorder, { watch: this.watch, ...transport, ...(server.tls ? { tls: server.tls } : {}) });
  }

  once<T>(key: string, make: () => Promise<T>): Promise<T> {
    if (!this.memo.has(key)) this.memo.set(key, make());
    return this.memo.get(key) as Promise<T>;
  }

  /** The blocks that use these servers (in order, and `concurrent`); the last to finish stops them. */
  readonly blocks = new Set<boolean>();
  private finished = 0;
  async release() {
    if (++this.finished < this.blocks.size) return;
    await Promise.all(this.servers.map((s) => s.stop().catch(() => {})));
    if (this.broker && (await this.slot?.catch(() => false))) await admit(this.broker, "leave").catch(() => {});
  }
}

/** GET /health answers 200 within PROBE_MS: the process lives (asked when an API request hangs). */
const health = (baseUrl: string, tls: ServerHandle["tls"]) =>
  send({ url: new URL("/health", baseUrl), method: "GET", headers: { connection: "close" }, options: { timeoutMs: PROBE_MS }, ...(tls ? { tls } : {}) }).then(
    (res) => res.status === 200,
    () => false,
  );

/**
 * Declares the checks of one contract section; call once per suite file. Every target of the run
 * gets its own block of the file's checks: the blocks run side by side, and the checks within
 * one block run in order, against that target's server for this file. `options` says how the
 * file's servers start: `{ tls: true }` for the `tls` profile.
 */
export function section(name: Section, options: ServerOptions = {}) {
  const targets = inject("targets");
  const broker = inject("broker");
  const declared: Declared[] = [];
  const sectionRequires: CheckOptions["requires"] = options.tls ? "tls" : undefined;
  const selects = (target: Target, id: string) => (hooks.runs?.(target, id) ?? true) && onlyChecks(id);
  /** Each target's servers for this file (started on first use). */
  const servers = new Map(targets.map((t) => [t, new TargetServers(t, broker, options)]));

  /**
   * Opens a target's block at its first check; the block's body runs once the file has declared
   * all its checks. Checks declared `concurrent` get a second block of the same name, which runs
   * beside the first against the same servers.
   */
  function block(mine: TargetServers, concurrent: boolean) {
    mine.blocks.add(concurrent);
    describe(mine.target.name, { concurrent: true }, () => {
      afterAll(() => mine.release());
      for (const d of declared) if (selects(mine.target, d.meta.id) && d.concurrent === concurrent) register(d, mine);
    });
  }

  return {
    check(checkOptions: CheckOptions, fn: (ctx: CheckContext) => Promise<void>) {
      // Long enough for a server that takes the whole 30 s start-up allowance to be reported as such.
      const { requires = sectionRequires, timeoutMs = 60_000, profile = "core", concurrent = false, ...rest } = checkOptions;
      const meta: CheckMeta = { section: name, ...rest, profile };
      if (!meta.title.startsWith(`${meta.level} `)) throw new Error(`${meta.id}: the title must start with ${meta.level}`);
      // The types say so already; this is for a suite file vitest runs without tsc.
      if (!SECTION_ORDER.includes(meta.section)) throw new Error(`${meta.id}: section "${meta.section}" is no heading of harness/base/catalogue.ts`);
      if (!PROFILES.some((p) => p.name === profile)) throw new Error(`${meta.id}: profile "${profile}" is not in harness/base/catalogue.ts`);
      // A MUST is core or a requirement of a named optional profile; `recommended` holds the core
      // sections' SHOULDs; SHOULD and MAY are never core.
      if (meta.level === "MUST" ? profile === "recommended" : profile === "core") {
        const hint = profile === "recommended" ? " (a MUST may belong to a named optional profile, not recommended)" : "";
        throw new Error(`${meta.id}: MUST checks are core, SHOULD and MAY ones belong to a profile${hint}`);
      }
      declared.push({ meta, requires, timeoutMs, concurrent, fn });
      for (const [target, mine] of servers) if (!mine.blocks.has(concurrent) && selects(target, meta.id)) block(mine, concurrent);
    },
  };
}

function register({ meta, requires, timeoutMs, concurrent, fn }: Declared, servers: TargetServers) {
  const { target } = servers;
  // vitest's timeout would count the waits for a slot and a container start; the check's own limit
  // (attempt) counts only its requests. A wait is bounded where it happens (a start by the server's
  // 30 s to health, a slot by the checks ahead of it); this is only a net under a harness bug.
  const timeout = 3_600_000;
  (concurrent ? test.concurrent : test.sequential)(`${meta.id} ${meta.title}`, { meta: { check: meta, target: target.name }, timeout }, async (ctx) => {
    const skip = (reason: string): never => {
      ctx.task.meta.result = { outcome: "skipped", reason };
      return ctx.skip(reason);
    };
    const expected = target.expectations[meta.id];
    const cannot = requires && NEEDS[target.kind]?.[requires];
    if (cannot) skip(cannot);
    if (expected?.outcome === "skip") skip(`listed as skip in expectations.json: ${expected.reason}`);
    const recorder = new Recorder();
    const { error, ...timing } = await attempt(fn, recorder, servers, requires, timeoutMs);
    if (hooks.judge?.(target, meta, error)) return;
    await settle(ctx, meta, target, { error, expected, recorder, servers, timing });
  });
}

/**
 * A check's own clock: it runs while the check sends requests and stops while the check waits for
 * a server (a slot in the run's limit, a container start), so that a busy run is slower, never a
 * timeout.
 */
class Clock {
  waitedMs = 0;
  /** Waits in progress (several servers may start at once), and since when there has been one. */
  private waiting = 0;
  private waitingSince = 0;
  private readonly startedAt = Date.now();

  /** Waits for `step` off the clock. */
  async off<T>(step: () => Promise<T>): Promise<T> {
    if (this.waiting++ === 0) this.waitingSince = Date.now();
    try {
      return await step();
    } finally {
      if (--this.waiting === 0) this.waitedMs += Date.now() - this.waitingSince;
    }
  }

  /** Rejects once the check has used `limitMs` of its own time. */
  limit(limitMs: number): { expired: Promise<never>; clear(): void } {
    let timer: NodeJS.Timeout;
    const expired = new Promise<never>((_, reject) => {
      const tick = () => {
        const used = Date.now() - this.startedAt - this.waitedMs;
        if (this.waiting || used < limitMs) {
          timer = setTimeout(tick, this.waiting ? 250 : limitMs - used);
          return;
        }
        reject(
          new CheckError(
            `the check used more than its ${limitMs / 1000} s for its own requests (${(this.waitedMs / 1000).toFixed(1)} s waiting for servers not counted)`,
          ),
        );
      };
      timer = setTimeout(tick, limitMs);
    });
    expired.catch(() => {});
    return { expired, clear: () => clearTimeout(timer) };
  }
}

/**
 * Runs the check within its own time limit. `error`: what it threw, or the first spec violation
 * among its responses; `waitMs`: how long it waited for servers; `note`: what it counted.
 */
async function attempt(
  fn: (ctx: CheckContext) => Promise<void>,
  recorder: Recorder,
  servers: TargetServers,
  requires: Declared["requires"],
  timeoutMs: number,
): Promise<{ error: unknown } & Pick<CheckResult, "waitMs" | "note">> {
  const clock = new Clock();
  const limit = clock.limit(timeoutMs);
  let note: string | undefined;
  let error: unknown;
  try {
    await clock.off(() => servers.admit());
    servers.watch.assertAnswering();
    // A lifecycle check boots the servers it signals: the file's shared one is not started for it.
    const api = requires === "lifecycle" ? undefined : await clock.off(() => servers.api(recorder));
    const ctx: CheckContext = {
      get api() {
        if (!api) throw new Error("a lifecycle check has no shared server: it boots its own (ctx.boot)");
        return api;
      },
      boot: async (options) => {
        const server = await clock.off(() => servers.start(options));
        return { api: servers.client(server, recorder), server };
      },
      once: (key, make) => servers.once(key, make),
      note: (text) => {
        note = note ? `${note}; ${text}` : text;
      },
    };
    await Promise.race([fn(ctx), limit.expired]);
  } catch (e) {
    error = propertyFailure(e) ?? e;
  } finally {
    limit.clear();
  }
  const violation = recorder.violations[0];
  error ??= violation && new CheckError(`${violation.kind}: ${violation.message}`);
  return { error, waitMs: clock.waitedMs, ...(note ? { note } : {}) };
}

/** fast-check wraps the failing assertion: report it, with the counterexample. */
function propertyFailure(e: unknown): CheckError | undefined {
  if (!(e instanceof Error) || !(e.cause instanceof Error) || !e.message.startsWith("Property failed")) return undefined;
  const counterexample = /Counterexample: (.*)/.exec(e.message)?.[1];
  return new CheckError(`${e.cause.message.split("\n")[0]}${counterexample ? ` (counterexample ${counterexample})` : ""}`);
}

async function settle(
  ctx: TestContext,
  meta: CheckMeta,
  target: Target,
  {
    error,
    expected,
    recorder,
    servers,
    timing,
  }: { error: unknown; expected?: Expectation; recorder: Recorder; servers: TargetServers; timing: Pick<CheckResult, "waitMs" | "note"> },
) {
  const result: CheckResult = { outcome: error ? "failed" : "passed", ...timing };
  ctx.task.meta.result = result;
  if (expected) result.expected = expected;
  if (!error) {
    if (expected?.outcome === "fail") {
      result.nowPassing = true;
      await ctx.annotate(`${meta.id} passes but expectations.json lists it as ${expected.outcome}: remove it from the list`, "notice");
    }
    return;
  }
  const reason = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  result.reason = reason;
  result.exchanges = recorder.exchanges;
  const logs = await servers.logs();
  result.log =
    logs
      .map((log) => log.split("\n").slice(-40).join("\n").trim())
      .filter(Boolean)
      .join("\n---\n") || undefined;
  if (result.log) await ctx.annotate("server log (last lines)", { contentType: "text/plain", body: result.log });
  result.gating = meta.profile.split("+").every((p) => p === "core" || target.profiles.includes(p));
  if (expected) {
    result.gating = false;
    ctx.skip(`expected failure (${expected.outcome}: ${expected.reason}): ${reason}`);
  }
  if (!result.gating) ctx.skip(`failed in unclaimed profile ${meta.profile}: ${reason}`);
  throw error;
}
