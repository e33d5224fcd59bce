import { rdsFault } from './faults';

/**
 * Request throttling of the RDS API, as a fault mode of the simulator: each
 * request is refused with `ThrottlingException` ("Rate exceeded") with a given
 * probability (RDS User Guide, "Request throttling for the Amazon RDS API":
 * RDS throttles per account and Region; a throttled request fails with
 * ThrottlingException, and clients should retry with exponential back-off).
 *
 * aws-sdk-client-mock replaces `RDSClient#send`, so the SDK's retry
 * middleware does not run under the simulator. For this fault mode the
 * simulator plays its part: the SDK's standard retry mode retries throttling
 * errors, up to `maxAttempts` attempts in all (3 by default, or
 * `AWS_MAX_ATTEMPTS`; AWS SDKs and Tools Reference Guide, "Retry behavior"),
 * and every attempt is a request (counted and gated). Only when every attempt
 * is throttled does the caller see the error. (Its back-off delays, under a
 * second each, are not added to the simulated clock.)
 *
 * The draws come from a seeded generator: a run is reproducible.
 */
export class Throttling {
  /** The attempts the SDK makes for one call (AWS_MAX_ATTEMPTS, default 3). */
  static maxAttempts(): number {
    const n = Number(process.env.AWS_MAX_ATTEMPTS ?? 3);
    return Number.isInteger(n) && n >= 1 ? n : 3;
  }

  /** Requests refused so far. */
  throttled = 0;
  /** Requests answered so far (not throttled). */
  passed = 0;
  private state: number;

  constructor(readonly rate: number, seed = 1) {
    if (!(rate >= 0 && rate < 1)) throw new Error(`Throttling: rate ${rate} must be from 0 to below 1`);
    this.state = 1 + (Math.abs(Math.floor(seed)) % (MODULUS - 1));
  }

  /**
   * One call as the SDK makes it: a throttled attempt is retried (`retried`
   * runs before each new attempt: a new request) until the attempts run out;
   * then the caller gets ThrottlingException.
   */
  call(retried: () => void): void {
    for (let attempt = 1; this.draw(); attempt++) {
      if (attempt >= Throttling.maxAttempts()) throw rdsFault('ThrottlingException');
      retried();
    }
  }

  /** Whether this request is throttled (Park–Miller minimal standard generator). */
  draw(): boolean {
    this.state = (this.state * 48271) % MODULUS;
    const hit = this.state / MODULUS < this.rate;
    if (hit) this.throttled += 1;
    else this.passed += 1;
    return hit;
  }
}

const MODULUS = 2147483647;
