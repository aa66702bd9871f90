/**
 * Builds the consensus engine a node runs from its options and what the node supplies (host,
 * signer, network, write-ahead log, clock). The node never names an engine class: an engine is a
 * `kind` here, and a new engine is a new case.
 */
import type { ConsensusClock, ConsensusEngine, ConsensusHost, ConsensusNetwork, ConsensusSigner, ConsensusWal } from "./engine.ts";
import { SingleValidatorEngine } from "./singleValidatorEngine.ts";

/** What the node hands every engine. */
export interface EngineDependencies {
  host: ConsensusHost;
  signer: ConsensusSigner;
  /** Proposal and vote transport; absent on a node without peers. */
  network?: ConsensusNetwork;
  /** Absent for engines that keep no log (single validator). */
  wal?: ConsensusWal;
  clock: ConsensusClock;
  /** A block could not be produced or decided; the engine keeps running where it can. */
  onError?: (error: unknown) => void;
}

export interface SingleValidatorEngineConfig {
  kind: "single-validator";
  /** An empty block after this many ms without one; undefined: blocks only for transactions. */
  heartbeatMs?: number;
  /** Before a block, wait for arrivals until none came for this long (ms). */
  gatherQuietMs?: number;
  /** ... but never longer than this in all (ms). */
  gatherMaxMs?: number;
}

/** An engine the caller builds itself (tests; engines not yet registered here). */
export interface CustomEngineConfig {
  kind: "custom";
  create(dependencies: EngineDependencies): ConsensusEngine;
}

export type EngineOptions = SingleValidatorEngineConfig | CustomEngineConfig;

export function createEngine(options: EngineOptions, dependencies: EngineDependencies): ConsensusEngine {
  switch (options.kind) {
    case "single-validator":
      return new SingleValidatorEngine(dependencies.host, {
        signer: dependencies.signer,
        now: () => dependencies.clock.now(),
        onError: dependencies.onError,
        heartbeatMs: options.heartbeatMs,
        gatherQuietMs: options.gatherQuietMs,
        gatherMaxMs: options.gatherMaxMs,
      });
    case "custom":
      return options.create(dependencies);
  }
}
