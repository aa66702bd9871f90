import "server-only";
/** Per-key request limits over a sliding window, in this server process's memory. */
import type { RateLimit } from "./config.ts";

export class RateLimiter {
  readonly #hits = new Map<string, number[]>();
  constructor(private readonly limit: RateLimit) {}

  /** Records a request by `key`; returns 0 if allowed, else the milliseconds until one would be. */
  take(key: string, now = Date.now()): number {
    const recent = (this.#hits.get(key) ?? []).filter((time) => time > now - this.limit.windowMs);
    if (recent.length >= this.limit.limit) {
      this.#hits.set(key, recent);
      return recent[0] + this.limit.windowMs - now;
    }
    recent.push(now);
    this.#hits.set(key, recent);
    if (this.#hits.size > 10_000) this.#sweep(now);
    return 0;
  }

  #sweep(now: number): void {
    for (const [key, times] of this.#hits) if (times.every((time) => time <= now - this.limit.windowMs)) this.#hits.delete(key);
  }
}

/** One limiter per purpose for the whole process (route modules may be loaded more than once). */
export function sharedLimiter(name: string, limit: RateLimit): RateLimiter {
  const key = Symbol.for(`concord.app.rateLimit.${name}`);
  const holder = globalThis as unknown as Record<symbol, RateLimiter | undefined>;
  holder[key] ??= new RateLimiter(limit);
  return holder[key];
}
