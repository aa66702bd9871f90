/**
 * Round timeouts, growing with the round so that a network slower than the configured timeouts
 * still reaches a round long enough to agree in (the paper's liveness argument; CometBFT's
 * timeout_propose + round * timeout_propose_delta).
 */
export type TimeoutStep = "propose" | "prevote" | "precommit";

export interface TimeoutConfig {
  /** Round 0's wait for a proposal (ms). */
  propose: number;
  prevote: number;
  precommit: number;
  /** Added per round to each (ms). */
  delta: number;
}

/** Defaults for validators on one machine or a LAN: a round of loopback messages takes a few ms. */
export const DEFAULT_TIMEOUTS: TimeoutConfig = { propose: 1000, prevote: 500, precommit: 500, delta: 250 };

export function roundTimeout(config: TimeoutConfig, step: TimeoutStep, round: number): number {
  return config[step] + config.delta * round;
}
