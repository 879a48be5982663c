// A server that stops answering fails fast. One watch per target and suite file sees every request
// the file's checks send it: a request with no answer after HANG_AFTER_MS while GET /health still
// answers (the API hangs, the process lives), or two requests in a row that reach their timeout,
// mark the target hung. Every request still waiting is ended, and every later request of the file
// fails at once with the first hung request as a curl line and how long ago it was sent.
import { CheckError } from "../base/check-error.js";

/** No API request of a check waits this long on a server that answers (the contract's slowest answer is a 1 MiB body). */
export const HANG_AFTER_MS = 10_000;
/** How long GET /health has to answer for the watch to tell "the API hangs" from "the machine is slow". */
export const PROBE_MS = 5_000;

export interface Hung {
  /** The first request that got no answer, as a curl line. */
  curl: string;
  /** When it was sent (ms since epoch). */
  since: number;
  /** What showed it: /health still answering, or two timeouts in a row. */
  why: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The reason every check fails with once the target hung. */
export const hungReason = (hung: Hung, now = Date.now()) =>
  `the server stopped answering ${seconds(now - hung.since)} ago (${hung.why}); first request without an answer: ${hung.curl}`;

/** One request being waited for. */
export interface Watched {
  /** Aborts the request when the target is found hung. */
  signal: AbortSignal;
  /** The request is over: answered (true) or failed (false; `timedOut` when it reached its own timeout). */
  done(answered: boolean, timedOut?: boolean): void;
}

export class HangWatch {
  hung?: Hung;
  private readonly pending = new Set<{ controller: AbortController; timer: NodeJS.Timeout }>();
  private timeoutsInARow = 0;

  constructor(
    /** GET /health on the server a request went to: true when it answers 200 within PROBE_MS. */
    private readonly probe: (baseUrl: string) => Promise<boolean>,
    /** Called once, when the target is found hung (stop its servers, keep their logs). */
    private readonly onHang: (hung: Hung) => void,
    private readonly afterMs = HANG_AFTER_MS,
  ) {}

  /** Throws the hung reason when the target has hung: a later request is not sent at all. */
  assertAnswering() {
    if (this.hung) throw new CheckError(hungReason(this.hung));
  }

  /** Watches one request to `baseUrl`; `curl` describes it, when it is found hung. */
  start(baseUrl: string, curl: () => string): Watched {
    this.assertAnswering();
    const since = Date.now();
    const controller = new AbortController();
    const entry = {
      controller,
      timer: setTimeout(async () => {
        const answering = await this.probe(baseUrl);
        if (this.pending.has(entry) && answering)
          this.declare({ curl: curl(), since, why: `no answer for ${seconds(Date.now() - since)} while GET /health answers` });
      }, this.afterMs),
    };
    entry.timer.unref();
    this.pending.add(entry);
    return {
      signal: controller.signal,
      done: (answered, timedOut = false) => {
        clearTimeout(entry.timer);
        this.pending.delete(entry);
        if (answered) this.timeoutsInARow = 0;
        else if (timedOut && ++this.timeoutsInARow >= 2) this.declare({ curl: curl(), since, why: "two requests in a row reached their timeout" });
      },
    };
  }

  private declare(hung: Hung) {
    if (this.hung) return;
    this.hung = hung;
    const error = new CheckError(hungReason(hung));
    for (const { controller, timer } of this.pending) {
      clearTimeout(timer);
      controller.abort(error);
    }
    this.pending.clear();
    this.onHang(hung);
  }
}
