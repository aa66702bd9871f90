/**
 * The Tendermint engine: the driver around the pure state machine (stateMachine.ts) that connects it
 * to the node (ConsensusHost), the network (ConsensusNetwork), the key (ConsensusSigner through its
 * sign guard), the write-ahead log and the clock.
 *
 * One queue owns the machine: messages, timeouts and the results of building or verifying a block are
 * events, applied one at a time, each written to the WAL before it is applied. The machine's effects
 * are then performed in order:
 * - propose / vote: signed through the guard, the signed message written to the WAL (durable), then
 *   sent to every validator and applied to the machine like any received message;
 * - buildBlock / verifyBlock: through the host, off the queue; the result comes back as an event;
 * - scheduleTimeout: a timer whose firing is an event;
 * - commit: the block (built or re-executed here) committed with the precommits as its certificate,
 *   then the WAL cleared and the next height started.
 * Every message that arrives is decoded and checked before the machine sees it: its signature, its
 * signer a validator of the height, a proposal's block hashing to its claimed hash. Anything else is
 * reported to the network (`reportInvalid`) so the peer can be scored down. Messages of the next
 * height wait in a bounded buffer; messages further ahead mean this node is behind: it asks its peers
 * for the decided heights from its own on, a range at a time (commitCatchUp.ts), and commits each in
 * order once its certificate verifies against the validator set of its height and it re-executes.
 * While a height is undecided, everything seen at it is re-sent every `gossipIntervalMs`, so a lost
 * message (a peer that reconnected) is made up for, as CometBFT's gossip does; and the node asks
 * whether its height was decided already, which is how a node that joins an idle network late learns
 * that it is behind.
 *
 * A restarted validator replays its WAL into a fresh machine: it is back in the round it was in with
 * the votes it had, and its guard returns the same signatures for anything it signs again.
 */
import type { Block } from "@ethereumjs/block";
import { decodeBlock } from "../../execution/blockCodec.ts";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import type { ExecutedBlock } from "../../execution/blockExecutor.ts";
import type { CommitCertificate, Hex } from "../../types.ts";
import type { ConsensusEngine, ConsensusHost, ConsensusNetwork, ConsensusSigner, ConsensusWal, EngineStatus, Validator, ValidatorSet } from "../engine.ts";
import { ConsensusError } from "../engine.ts";
import { decodeMessage, encodeMessage, MalformedMessageError, type ConsensusMessage, type SignedMessage, type VerifiedMessage } from "../messages.ts";
import { TendermintStateMachine, type ConsensusEffect, type ConsensusEvent } from "./stateMachine.ts";
import { DEFAULT_TIMEOUTS, type TimeoutConfig } from "./timeouts.ts";
import { COMMITS_TOPIC, MAX_CATCH_UP_BYTES, MAX_CATCH_UP_RANGE, decodeCatchUp, encodeCatchUp, type CatchUpMessage } from "./commitCatchUp.ts";
import { verifyCommitCertificate } from "../commitCertificate.ts";
import { ArrivalGathering, type GatheringOptions } from "../arrivalGathering.ts";
import { decodeWake, encodeWake, WAKE_TOPIC } from "./heightWake.ts";

/** The topic consensus messages travel on. */
export const CONSENSUS_TOPIC = "concord/consensus/1";

/**
 * An idle network makes an empty block this often. Transactions start a height at once (every
 * validator gets them by gossip), so this only bounds how stale an idle chain's head gets.
 */
export const DEFAULT_EMPTY_BLOCK_INTERVAL_MS = 5_000;

/** Catch-up answers kept ahead of the head: two requests' worth. */
const MAX_PENDING_COMMITS = 2 * MAX_CATCH_UP_RANGE;
/** Rate-limit records kept before they are forgotten (each is worth 250 ms). */
const MAX_RATE_ENTRIES = 1024;

/** Proposed blocks kept decoded per height (one per round; more only from an equivocating proposer). */
const MAX_DECODED_BLOCKS = 16;

/** Messages of one height kept for re-sending (a few rounds of 100 validators fit many times over). */
const MAX_SEEN_MESSAGES = 10_000;

export interface TendermintEngineOptions extends GatheringOptions {
  timeouts?: TimeoutConfig;
  /** Re-send what was seen at an undecided height this often (ms). */
  gossipIntervalMs?: number;
  /** With nothing to include, a new height starts after this long (ms, DEFAULT_EMPTY_BLOCK_INTERVAL_MS); a transaction or a peer's message starts it at once. */
  emptyBlockIntervalMs?: number;
  /** Messages of the next height kept until this node gets there. */
  maxBufferedMessages?: number;
}

export interface TendermintDependencies {
  host: ConsensusHost;
  signer: ConsensusSigner;
  network: ConsensusNetwork;
  wal: ConsensusWal;
  clock: { now(): bigint };
  onError?: (error: unknown) => void;
}

type QueueItem = { kind: "event"; event: ConsensusEvent; fromWal?: boolean } | { kind: "own"; signed: SignedMessage; bytes: Uint8Array };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class TendermintEngine implements ConsensusEngine {
  readonly name = "tendermint";
  private machine: TendermintStateMachine | undefined;
  private validatorSet: ValidatorSet | undefined;
  private readonly timeouts: TimeoutConfig;
  private readonly queue: QueueItem[] = [];
  private draining = false;
  private running = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private unsubscribe: (() => void) | undefined;
  private unsubscribePending: (() => void) | undefined;
  /** Executed blocks by hash at the current height (built here or verified here). */
  private readonly executed = new Map<string, ExecutedBlock>();
  /** Proposed blocks of the current height, decoded when their proposal arrived, by hash. */
  private readonly decoded = new Map<string, Block>();
  /** Every valid message of the current height, as received: what gossip re-sends. */
  private seen = new Map<string, Uint8Array>();
  /** Verified messages of the next height, kept until this node gets there. */
  private future: { message: VerifiedMessage; bytes: Uint8Array; from: string }[] = [];
  /** When this node last asked for / answered a decided height (rate limits). */
  private lastAsked = new Map<bigint, number>();
  private lastAnswered = new Map<string, number>();
  /** Decided heights received from peers, waiting for the head to reach them (catch-up). */
  private readonly pendingCommits = new Map<bigint, { message: CatchUpMessage; from: string }>();
  private catchingUp = false;
  private waitingToStart: NodeJS.Timeout | undefined;
  /** A block was asked for (requestBlock, or a peer's wake) while this node was between heights. */
  private startNextHeight = false;
  /** The current height's machine was started (it runs rounds), as opposed to waiting for work. */
  private machineStarted = false;
  private gossipTimer: NodeJS.Timeout | undefined;
  private idle: Promise<void> = Promise.resolve();
  /** Tail of the commits in progress (commitOnce). */
  private commitLock: Promise<unknown> = Promise.resolve();
  private readonly gathering: ArrivalGathering;
  private unsubscribeArrivals: (() => void) | undefined;

  constructor(
    private readonly deps: TendermintDependencies,
    private readonly options: TendermintEngineOptions = {},
  ) {
    this.timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
    this.gathering = new ArrivalGathering(options, () => deps.host.burstsInProgress?.() ?? 0);
  }

  async start(): Promise<void> {
    if (this.running) throw new ConsensusError("ALREADY_STARTED", "the Tendermint engine is already running");
    this.running = true;
    this.unsubscribe = this.deps.network.onMessage((topic, payload, from) => {
      if (topic === CONSENSUS_TOPIC) this.receive(payload, from);
      else if (topic === COMMITS_TOPIC) void this.receiveCatchUp(payload, from).catch((error) => this.deps.onError?.(error));
      else if (topic === WAKE_TOPIC) this.receiveWake(payload, from);
    });
    this.unsubscribeArrivals = this.deps.host.onPendingTransactions(() => this.gathering.arrived());
    await this.enterHeight({ replay: true });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribePending?.();
    this.unsubscribeArrivals?.();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    clearTimeout(this.waitingToStart);
    clearTimeout(this.gossipTimer);
    await this.idle;
    await this.deps.wal.close?.();
    await this.deps.signer.close?.();
  }

  status(): EngineStatus {
    const status = this.machine?.status();
    return {
      engine: this.name,
      height: this.deps.host.head().header.number + 1n,
      round: status?.round ?? 0,
      step: status?.step ?? "waiting",
      proposer: this.machine?.proposer(status?.round ?? 0) ?? null,
      validators: this.validatorSet?.validators.length ?? 0,
    };
  }

  requestBlock(): void {
    const machine = this.machine;
    if (!this.running || machine === undefined) return;
    if (!this.machineStarted && this.waitingToStart === undefined) {
      // Entering a height (enterHeight is between its awaits): it starts at once when entered.
      this.startNextHeight = true;
      return;
    }
    if (machine.height !== this.deps.host.head().header.number + 1n) {
      // Between a commit and the next height: that height starts at once when it is entered.
      this.startNextHeight = true;
      return;
    }
    if (this.waitingToStart !== undefined) this.startMachine();
    void this.deps.network.broadcast(WAKE_TOPIC, encodeWake(machine.height)).catch(() => {});
  }

  private receiveWake(bytes: Uint8Array, from: string): void {
    const height = decodeWake(bytes);
    if (height === undefined) {
      this.deps.network.reportInvalid?.(from, "malformed wake message");
      return;
    }
    if (!this.running || this.machine === undefined) return;
    if (this.machine.height === height && this.waitingToStart !== undefined) this.startMachine();
    else if (this.machine.height === height && !this.machineStarted) this.startNextHeight = true;
    // A peer a commit ahead of this node: the height it woke starts here as soon as this node enters it.
    else if (height === this.machine.height + 1n) this.startNextHeight = true;
  }

  // ---- heights ----

  private async enterHeight({ replay }: { replay: boolean }): Promise<void> {
    const head = this.deps.host.head();
    const height = head.header.number + 1n;
    this.validatorSet = await this.deps.host.validatorSet(head);
    this.machine = new TendermintStateMachine({
      height,
      validators: this.validatorSet.validators,
      self: this.isValidator(this.deps.signer.address) ? this.deps.signer.address : undefined,
      timeouts: this.timeouts,
    });
    this.machineStarted = false;
    this.executed.clear();
    this.decoded.clear();
    this.seen = new Map();
    this.queue.length = 0;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    // The previous height may have been decided without this node starting it (catch-up): its wait goes.
    clearTimeout(this.waitingToStart);
    this.waitingToStart = undefined;
    this.unsubscribePending?.();
    this.unsubscribePending = undefined;
    if (replay) await this.replayWal(height);
    else await this.deps.wal.clear?.();
    if (!this.running) return; // stopped while this height was being entered: arm nothing
    this.armGossip();
    // Start the height now if there is something to do, else when there is (or after the empty-block interval).
    const requested = this.startNextHeight;
    this.startNextHeight = false;
    if (requested) void this.deps.network.broadcast(WAKE_TOPIC, encodeWake(height)).catch(() => {});
    const startNow = replay || requested || this.deps.host.hasPendingTransactions() || this.future.some((m) => m.message.message.height === height);
    if (startNow) this.startMachine();
    else this.waitToStart();
    const buffered = this.future;
    this.future = [];
    for (const { message, bytes, from } of buffered) this.accept(message, bytes, from);
  }

  private waitToStart(): void {
    if (!this.running) return;
    const start = () => {
      clearTimeout(this.waitingToStart);
      this.unsubscribePending?.();
      this.unsubscribePending = undefined;
      this.startMachine();
    };
    this.unsubscribePending = this.deps.host.onPendingTransactions(start);
    this.waitingToStart = setTimeout(start, this.options.emptyBlockIntervalMs ?? DEFAULT_EMPTY_BLOCK_INTERVAL_MS);
    // A transaction admitted between the check in enterHeight and the subscription above.
    if (this.deps.host.hasPendingTransactions()) start();
  }

  private startMachine(): void {
    const machine = this.machine;
    if (machine === undefined || !this.running) return;
    clearTimeout(this.waitingToStart);
    this.waitingToStart = undefined;
    this.unsubscribePending?.();
    this.unsubscribePending = undefined;
    this.machineStarted = true;
    this.perform(machine, machine.start());
  }

  private async replayWal(height: bigint): Promise<void> {
    const machine = this.machine!;
    const startEffects = machine.start();
    let replayed = 0;
    for await (const record of this.deps.wal.replay()) {
      const event = decodeWalRecord(record);
      if (event === undefined) continue;
      const eventAt = eventHeight(event);
      if (eventAt !== undefined && eventAt !== height) continue; // a height already committed
      // Replayed: applied again; nothing is sent again (gossip re-sends what the machine has) and no
      // block is built again, but timers are armed and blocks re-executed so the round can go on.
      if (replayed++ === 0) this.perform(machine, startEffects.filter((e) => e.type === "scheduleTimeout"));
      const effects = machine.apply(event);
      if (event.type === "proposal" || event.type === "vote") this.remember(event);
      this.perform(machine, effects.filter((e) => e.type === "scheduleTimeout" || e.type === "commit" || e.type === "verifyBlock"));
    }
    // Nothing to replay: a fresh start of the height, with everything StartRound asks for.
    if (replayed === 0) this.perform(machine, startEffects);
  }

  // ---- the queue ----

  private enqueue(item: QueueItem): void {
    this.queue.push(item);
    if (!this.draining) this.idle = this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0 && this.running) {
        const item = this.queue.shift()!;
        const machine = this.machine;
        if (machine === undefined) continue;
        try {
          if (item.kind === "own") {
            // Durable before it leaves this node.
            await this.deps.wal.append(encodeWalRecord(ownEvent(item.signed, this.deps.signer.address)));
            await this.deps.network.broadcast(CONSENSUS_TOPIC, item.bytes);
            this.seen.set(item.signed.signature, item.bytes);
            if (this.machine !== machine) continue;
            this.perform(machine, machine.apply(ownEvent(item.signed, this.deps.signer.address)));
          } else {
            // Not fsynced: others' messages and local results can be had again after a crash.
            if (!item.fromWal) await this.deps.wal.append(encodeWalRecord(item.event), { durable: false });
            if (this.machine !== machine) continue;
            this.perform(machine, machine.apply(item.event));
          }
        } catch (error) {
          this.deps.onError?.(error);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private perform(machine: TendermintStateMachine, effects: ConsensusEffect[]): void {
    for (const effect of effects) {
      if (this.machine !== machine || !this.running) return;
      switch (effect.type) {
        case "propose":
        case "vote": {
          const message: ConsensusMessage = effect.type === "propose" ? effect.proposal : effect.vote;
          void this.deps.signer
            .sign(message)
            .then((signed) => this.enqueue({ kind: "own", signed, bytes: encodeMessage(signed) }))
            .catch((error) => this.deps.onError?.(error));
          break;
        }
        case "buildBlock":
          void this.build(machine, effect.height, effect.round);
          break;
        case "verifyBlock":
          void this.verify(machine, effect.blockHash, effect.block);
          break;
        case "scheduleTimeout": {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            this.enqueue({ kind: "event", event: { type: "timeout", step: effect.step, height: effect.height, round: effect.round } });
          }, effect.ms);
          this.timers.add(timer);
          break;
        }
        case "commit":
          void this.commit(machine, effect).catch((error) => this.deps.onError?.(error));
          return;
        case "missingBlock":
          this.askForCommit(effect.height);
          break;
        case "equivocation":
          this.deps.onError?.(new ConsensusError("EQUIVOCATION", `validator ${effect.evidence.signer} signed two ${effect.voteType}s at ${effect.height}/${effect.round}`));
          break;
      }
    }
  }

  private async build(machine: TendermintStateMachine, height: bigint, round: number): Promise<void> {
    try {
      // The transactions arriving with the one that started this height join its block (arrivalGathering.ts).
      await this.gathering.gather(() => this.running && this.machine === machine);
      if (this.machine !== machine) return;
      const mark = this.gathering.mark();
      const parent = this.deps.host.head();
      const now = this.deps.clock.now();
      const timestamp = now > parent.header.timestamp ? now : parent.header.timestamp + 1n;
      const built = await this.deps.host.buildBlock(parent, { timestamp, coinbase: this.deps.signer.address });
      this.gathering.built(built.block.transactions.length, mark);
      const blockHash = bytesToHex(built.block.hash()) as Hex;
      this.executed.set(blockHash, built);
      if (this.machine === machine) this.enqueue({ kind: "event", event: { type: "blockBuilt", height, round, blockHash, block: built.block.serialize() } });
    } catch (error) {
      this.deps.onError?.(error);
      if (this.machine === machine) this.enqueue({ kind: "event", event: { type: "buildFailed", height, round } });
    }
  }

  private async verify(machine: TendermintStateMachine, blockHash: Hex, rlp: Uint8Array): Promise<void> {
    let valid = false;
    try {
      const executed = await this.reExecute(rlp, blockHash);
      valid = bytesToHex(executed.block.hash()) === blockHash;
      if (valid) this.executed.set(blockHash, executed);
    } catch (error) {
      this.deps.onError?.(error);
    }
    if (this.machine === machine) this.enqueue({ kind: "event", event: { type: "blockVerified", blockHash, valid } });
  }

  /** Runs a block on the head; `blockHash` names one already decoded at this height (its hash checked). */
  private async reExecute(rlp: Uint8Array, blockHash?: Hex): Promise<ExecutedBlock> {
    const parent = this.deps.host.head();
    const decoded = blockHash === undefined ? undefined : this.decoded.get(blockHash.toLowerCase());
    const block: Block = decoded ?? decodeBlock(rlp, parent.common);
    return this.deps.host.verifyBlock(parent, block);
  }

  private async commit(machine: TendermintStateMachine, effect: Extract<ConsensusEffect, { type: "commit" }>): Promise<void> {
    const executed = this.executed.get(effect.blockHash) ?? (await this.reExecute(effect.block));
    await this.commitOnce(machine, executed, {
      height: effect.height,
      round: effect.round,
      blockHash: effect.blockHash,
      signatures: effect.signatures.map((vote) => ({ validator: vote.signer, signature: vote.signature })),
    });
  }

  /**
   * Commits the height `machine` decides and moves on to the next, unless it was committed already:
   * the machine's own decision and a peer's catch-up answer can both arrive for one height, and only
   * the first may commit (one at a time, each checking the head the previous one left).
   */
  private commitOnce(machine: TendermintStateMachine, executed: ExecutedBlock, certificate: CommitCertificate): Promise<boolean> {
    const run = this.commitLock.then(async () => {
      if (!this.running || this.machine !== machine || this.deps.host.head().header.number + 1n !== certificate.height) return false;
      await this.deps.host.commitBlock(executed, certificate);
      if (this.running) await this.enterHeight({ replay: false });
      return true;
    });
    this.commitLock = run.catch(() => {});
    return run;
  }

  // ---- the network ----

  private receive(bytes: Uint8Array, from: string): void {
    if (!this.running || this.machine === undefined) return;
    // An exact copy of a message already verified at this height (gossip re-sends, a peer's retry):
    // dropped before the signature recovery, the costliest step of decoding.
    if (bytes.length > SIGNATURE_BYTES) {
      const known = this.seen.get(bytesToHex(bytes.subarray(bytes.length - SIGNATURE_BYTES)));
      if (known !== undefined && equalBytes(known, bytes)) return;
    }
    let message: VerifiedMessage;
    try {
      message = decodeMessage(this.deps.host.chainId, bytes);
    } catch (error) {
      if (error instanceof MalformedMessageError) this.deps.network.reportInvalid?.(from, error.message);
      return;
    }
    this.accept(message, bytes, from);
  }

  /** A decoded message whose signature recovered to `message.signer`: checked against this height, then applied. */
  private accept(message: VerifiedMessage, bytes: Uint8Array, from: string): void {
    if (!this.running || this.machine === undefined) return;
    const height = this.machine.height;
    const messageHeight = message.message.height;
    if (messageHeight < height) return; // a height already decided
    if (messageHeight > height) {
      // Someone is past this height: it was decided. The next height's messages are kept. One height
      // ahead is the usual case of a peer that committed a moment sooner: this node's own precommits
      // are on their way (and if they were lost, the gossip tick asks within a second); two or more
      // ahead, this node is behind and asks for the decided heights at once.
      if (messageHeight === height + 1n && this.future.length < (this.options.maxBufferedMessages ?? 1000)) this.future.push({ message, bytes, from });
      if (messageHeight > height + 1n) {
        this.askForCommit(height);
      }
      return;
    }
    if (!this.isValidator(message.signer)) {
      this.deps.network.reportInvalid?.(from, `${message.signer} is not a validator at height ${height}`);
      return;
    }
    if (message.message.type === "proposal") {
      try {
        const block = decodeBlock(message.message.block, this.deps.host.head().common);
        if (bytesToHex(block.hash()) !== message.message.blockHash.toLowerCase()) throw new Error("hash mismatch");
        if (block.header.number !== height) throw new Error("wrong height");
        // Kept for its re-execution, so the block is not decoded twice.
        if (!this.seen.has(message.signature) && this.decoded.size < MAX_DECODED_BLOCKS) this.decoded.set(message.message.blockHash.toLowerCase(), block);
      } catch (error) {
        this.deps.network.reportInvalid?.(from, `proposal's block does not match its hash or height: ${(error as Error).message}`);
        return;
      }
    }
    if (this.seen.has(message.signature)) return;
    // Bounded: a validator signing messages for rounds far ahead cannot grow what is kept and re-sent.
    if (this.seen.size < MAX_SEEN_MESSAGES) this.seen.set(message.signature, bytes);
    if (this.waitingToStart !== undefined) this.startMachine();
    this.enqueue({ kind: "event", event: toEvent(message) });
  }

  // ---- catching up on decided heights (commitCatchUp.ts) ----

  /** Asks the peers for the decided heights from `height` on (a range: a node far behind catches up in batches). */
  private askForCommit(height: bigint): void {
    const now = Date.now();
    if (now - (this.lastAsked.get(height) ?? 0) < 250) return;
    if (this.lastAsked.size >= MAX_RATE_ENTRIES) this.lastAsked.clear();
    this.lastAsked.set(height, now);
    void this.deps.network.broadcast(COMMITS_TOPIC, encodeCatchUp({ type: "request", height, count: MAX_CATCH_UP_RANGE })).catch(() => {});
  }

  private async receiveCatchUp(bytes: Uint8Array, from: string): Promise<void> {
    if (!this.running || this.machine === undefined) return;
    const common = this.deps.host.head().common;
    const message = decodeCatchUp(bytes, (block) => bytesToHex(decodeBlock(block, common).hash()) as Hex);
    if (message === undefined) {
      this.deps.network.reportInvalid?.(from, "malformed catch-up message");
      return;
    }
    if (message.type === "request") {
      await this.answerCatchUp(message.height, message.count, from);
      return;
    }
    // Kept in height order (bounded to the heights this node can use next) and applied one by one.
    const height = this.machine.height;
    if (message.height < height || message.height >= height + BigInt(MAX_PENDING_COMMITS) || this.pendingCommits.has(message.height)) return;
    this.pendingCommits.set(message.height, { message, from });
    await this.applyPendingCommits();
  }

  /** Sends `from` the decided heights it asked for, that this node has, up to MAX_CATCH_UP_BYTES. */
  private async answerCatchUp(first: bigint, count: number, from: string): Promise<void> {
    const now = Date.now();
    const key = `${from}/${first}`;
    if (now - (this.lastAnswered.get(key) ?? 0) < 250 || this.deps.host.committedBlock === undefined) return;
    if (this.lastAnswered.size >= MAX_RATE_ENTRIES) this.lastAnswered.clear();
    this.lastAnswered.set(key, now);
    let bytes = 0;
    for (let height = first; height < first + BigInt(count) && bytes < MAX_CATCH_UP_BYTES; height++) {
      const committed = await this.deps.host.committedBlock(height);
      if (committed === undefined) return;
      const answer = encodeCatchUp({ type: "commit", height, block: committed.block.serialize(), certificate: committed.certificate });
      bytes += answer.length;
      if (this.deps.network.sendTo !== undefined) this.deps.network.sendTo(from, COMMITS_TOPIC, answer);
      else await this.deps.network.broadcast(COMMITS_TOPIC, answer);
    }
  }

  /** Commits the received decided heights that follow the head, in order, each proven by its certificate. */
  private async applyPendingCommits(): Promise<void> {
    if (this.catchingUp) return;
    this.catchingUp = true;
    let applied = 0;
    try {
      for (;;) {
        const machine = this.machine;
        if (!this.running || machine === undefined) return;
        for (const pending of this.pendingCommits.keys()) if (pending < machine.height) this.pendingCommits.delete(pending);
        const next = this.pendingCommits.get(machine.height);
        if (next === undefined) break;
        this.pendingCommits.delete(machine.height);
        const { message, from } = next;
        if (message.type !== "commit") continue;
        if (machine.decided() !== undefined) continue; // deciding it itself: its own commit is under way
        // The proof: a certificate of more than 2/3 of this height's power, whoever relays it.
        try {
          verifyCommitCertificate(message.certificate, this.deps.host.chainId, { height: message.height, blockHash: message.certificate.blockHash }, this.validatorSet!.validators);
        } catch (error) {
          this.deps.network.reportInvalid?.(from, `catch-up certificate refused: ${(error as Error).message}`);
          continue;
        }
        const executed = await this.reExecute(message.block);
        if (await this.commitOnce(machine, executed, message.certificate)) applied++;
      }
    } finally {
      this.catchingUp = false;
    }
    // A whole batch came: there may be more behind it.
    if (applied > 0 && this.machine !== undefined) this.askForCommit(this.machine.height);
  }

  private armGossip(): void {
    clearTimeout(this.gossipTimer);
    if (!this.running) return;
    this.gossipTimer = setTimeout(() => {
      for (const bytes of this.seen.values()) void this.deps.network.broadcast(CONSENSUS_TOPIC, bytes).catch(() => {});
      // No height decided for a whole interval: perhaps the others are past it and idle, so no message
      // of theirs says so (a node that joins late, or was down): ask whether it was decided.
      if (this.machine !== undefined) this.askForCommit(this.machine.height);
      this.armGossip();
    }, this.options.gossipIntervalMs ?? 1000);
    this.gossipTimer.unref?.();
  }

  private remember(event: Extract<ConsensusEvent, { type: "proposal" | "vote" }>): void {
    const message = event.type === "proposal" ? event.proposal : event.vote;
    this.seen.set(event.signature, encodeMessage({ message, signature: event.signature }));
  }

  private isValidator(address: Hex): boolean {
    return this.validatorSet?.validators.some((v: Validator) => v.address.toLowerCase() === address.toLowerCase()) ?? false;
  }
}

/** A signed message's wire form ends with its 65-byte signature (messages.ts). */
const SIGNATURE_BYTES = 65;

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

function toEvent(message: VerifiedMessage): ConsensusEvent {
  return message.message.type === "proposal"
    ? { type: "proposal", proposal: message.message, signer: message.signer, signature: message.signature }
    : { type: "vote", vote: message.message, signer: message.signer, signature: message.signature };
}

function ownEvent(signed: SignedMessage, self: Hex): ConsensusEvent {
  return toEvent({ ...signed, signer: self.toLowerCase() as Hex });
}

function eventHeight(event: ConsensusEvent): bigint | undefined {
  switch (event.type) {
    case "proposal":
      return event.proposal.height;
    case "vote":
      return event.vote.height;
    case "timeout":
    case "blockBuilt":
    case "buildFailed":
      return event.height;
    case "blockVerified":
      return undefined;
  }
}

// ---- WAL records: one JSON object per event, bytes as hex, integers as decimal strings ----

export function encodeWalRecord(event: ConsensusEvent): Uint8Array {
  return encoder.encode(
    JSON.stringify(event, (_key, value) => {
      if (typeof value === "bigint") return { $bigint: value.toString() };
      if (value instanceof Uint8Array) return { $bytes: bytesToHex(value) };
      // A Node Buffer (bytes that came off a socket) has already been turned into this by its toJSON.
      if (value !== null && typeof value === "object" && value.type === "Buffer" && Array.isArray(value.data)) {
        return { $bytes: bytesToHex(Uint8Array.from(value.data as number[])) };
      }
      return value;
    }),
  );
}

export function decodeWalRecord(record: Uint8Array): ConsensusEvent | undefined {
  try {
    return JSON.parse(decoder.decode(record), (_key, value) => {
      if (value !== null && typeof value === "object") {
        if (typeof value.$bigint === "string") return BigInt(value.$bigint);
        if (typeof value.$bytes === "string") return hexToBytes(value.$bytes);
      }
      return value;
    }) as ConsensusEvent;
  } catch {
    return undefined;
  }
}
