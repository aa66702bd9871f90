/**
 * Builds the consensus engine a node runs from its options and what the node supplies (host,
 * signer, network, write-ahead log, clock). The node never names an engine class: an engine is a
 * `kind` here, and a new engine is a new case.
 */
import type { ConsensusClock, ConsensusEngine, ConsensusHost, ConsensusNetwork, ConsensusSigner, ConsensusWal } from "./engine.ts";
import { ConsensusError } from "./engine.ts";
import { SingleValidatorEngine } from "./singleValidatorEngine.ts";
import { TendermintEngine, type TendermintEngineOptions } from "./tendermint/tendermintEngine.ts";

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

/** Tendermint BFT among the validators of the staking contract (chain/consensus/tendermint/). */
export interface TendermintEngineConfig extends TendermintEngineOptions {
  kind: "tendermint";
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

export type EngineOptions = SingleValidatorEngineConfig | TendermintEngineConfig | CustomEngineConfig;

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
    case "tendermint": {
      const { network, wal } = dependencies;
      if (network === undefined || wal === undefined) {
        throw new ConsensusError("MISSING_DEPENDENCY", "the Tendermint engine needs a network and a write-ahead log from the node");
      }
      return new TendermintEngine({ ...dependencies, network, wal }, options);
    }
    case "custom":
      return options.create(dependencies);
  }
}
