/**
 * A deterministic simulation of a Tendermint validator set: the real state machine
 * (chain/consensus/tendermint/stateMachine.ts) of every validator, real secp256k1 signatures and
 * commit certificates, over a simulated network and clock driven by one seeded random source.
 *
 * The network delays, loses, duplicates and so reorders messages, and partitions the validators into
 * two groups for a while before healing. Validators crash and restart from their write-ahead log (the
 * events they had applied, replayed into a fresh machine, with what they signed kept as the sign guard
 * keeps it). Byzantine validators, under 1/3 of the power, equivocate: different blocks to different
 * peers when they propose, votes for different blocks to different peers. A validator that falls
 * behind (it sees messages of a later height) catches up by block sync: it takes a decided block from
 * a peer only with a commit certificate that verifies against the validator set.
 *
 * What is checked, for every run: agreement (no two honest validators decide different blocks at one
 * height), validity (a decided block was proposed and is valid), every decision's certificate verifies,
 * no honest validator signs two conflicting messages, and progress: once the last partition healed and
 * every crashed validator is back, all honest validators reach the target height.
 */
import { hexToBytes, bytesToHex } from "@ethereumjs/util";
import { addressOfKey, verifyCommitCertificate } from "../../../../chain/consensus/commitCertificate.ts";
import type { Validator } from "../../../../chain/consensus/engine.ts";
import { signMessage, type ConsensusMessage, type Proposal, type Vote } from "../../../../chain/consensus/messages.ts";
import { TendermintStateMachine, type ConsensusEffect, type ConsensusEvent } from "../../../../chain/consensus/tendermint/stateMachine.ts";
import type { TimeoutConfig } from "../../../../chain/consensus/tendermint/timeouts.ts";
import { keccak256 } from "../../../../chain/execution/crypto.ts";
import type { Hex } from "../../../../chain/types.ts";
import { seeded, type Random } from "../../execution/seededRandom.ts";

const CHAIN_ID = 31337n;
const TIMEOUTS: TimeoutConfig = { propose: 300, prevote: 150, precommit: 150, delta: 100 };

export interface SimulationOptions {
  seed: number;
  /** Heights every honest validator must decide. */
  heights?: number;
  /** Simulated time after the last fault before giving up on progress (ms). */
  patienceMs?: number;
}

export interface SimulationResult {
  seed: number;
  validators: number;
  byzantine: number;
  heights: number;
  /** Simulated time to reach the target (ms). */
  simulatedMs: number;
  messages: number;
  maxRound: number;
  crashes: number;
  partitions: number;
}

export class SimulationFailure extends Error {
  constructor(
    readonly seed: number,
    reason: string,
  ) {
    super(`consensus simulation seed ${seed}: ${reason}. Reproduce: npx tsx bench/consensusSimulation.ts --seed ${seed}`);
    this.name = "SimulationFailure";
  }
}

interface Envelope {
  /** The peer it came from over the (simulated) link. */
  from: number;
  /** The validator that signed it (a relayed message keeps its signer). */
  signer: number;
  signed: { message: ConsensusMessage; signature: Hex };
}

type Task = { at: number; seq: number; run: () => void };

interface Decision {
  blockHash: Hex;
  block: Uint8Array;
  round: number;
  signatures: { signer: Hex; blockHash: Hex | null; signature: Hex }[];
}

interface Node {
  index: number;
  key: Uint8Array;
  address: Hex;
  byzantine: boolean;
  crashed: boolean;
  height: bigint;
  machine: TendermintStateMachine;
  /** The events applied at the current height, in order: the write-ahead log. */
  wal: ConsensusEvent[];
  /** Messages of later heights, applied when the node gets there. */
  future: Envelope[];
  decisions: Map<bigint, Decision>;
  /** What it signed, by "height/round/type": the sign guard's memory, kept across crashes. */
  signed: Map<string, Hex | null>;
  /** Timeouts scheduled before a crash are void after it. */
  epoch: number;
  /** A block sync request is on its way. */
  syncing: boolean;
  /** The messages of the current height it has (its own and others'), by signature: what it gossips. */
  seen: Map<string, Envelope>;
}

export function runSimulation(options: SimulationOptions): SimulationResult {
  const random = seeded(options.seed);
  const targetHeights = options.heights ?? 3;
  const patienceMs = options.patienceMs ?? 120_000;
  const count = 4 + random.int(4); // 4..7 validators
  const keys = Array.from({ length: count }, (_, i) => hexToBytes(`0x${(options.seed * 131 + i + 1).toString(16).padStart(64, "0")}`));
  const powers = Array.from({ length: count }, () => BigInt(1 + random.int(random.next() < 0.5 ? 1 : 10)));
  const validators: Validator[] = keys.map((key, i) => ({ address: addressOfKey(key), votingPower: powers[i]! }));
  const total = powers.reduce((a, b) => a + b, 0n);
  // Byzantine validators: a random set holding strictly less than 1/3 of the power (maybe none).
  const byzantine = new Set<number>();
  let byzantinePower = 0n;
  for (const i of shuffled(random, [...keys.keys()])) {
    if (random.next() < 0.35 && (byzantinePower + powers[i]!) * 3n < total) {
      byzantine.add(i);
      byzantinePower += powers[i]!;
    }
  }

  let now = 0;
  let seq = 0;
  let messages = 0;
  let maxRound = 0;
  const queue = new TaskQueue();
  const schedule = (delay: number, run: () => void) => {
    queue.push({ at: now + delay, seq: seq++, run });
  };
  const fail = (reason: string): never => {
    throw new SimulationFailure(options.seed, reason);
  };

  // Faults: up to two partitions and up to two crash/restart pairs, all within the first 20 s.
  const partitions: { from: number; to: number; group: Set<number> }[] = [];
  for (let p = random.int(3); p > 0; p--) {
    const from = random.int(15_000);
    const group = new Set(shuffled(random, [...keys.keys()]).slice(0, 1 + random.int(count - 1)));
    partitions.push({ from, to: from + 500 + random.int(5_000), group });
  }
  const crashes: { node: number; at: number; back: number }[] = [];
  for (let c = random.int(3); c > 0; c--) {
    const at = random.int(15_000);
    crashes.push({ node: random.int(count), at, back: at + 200 + random.int(4_000) });
  }
  const lastFault = Math.max(0, ...partitions.map((p) => p.to), ...crashes.map((c) => c.back));
  const loss = random.next() < 0.5 ? 0 : random.next() * 0.1;
  const duplication = random.next() * 0.1;
  const maxDelay = 1 + random.int(random.next() < 0.2 ? 400 : 40);
  // Some runs have a slow block sync, so that a round can go on while a decided block is still on its way.
  const syncDelay = random.next() < 0.3 ? random.int(3_000) : 0;

  const nodes: Node[] = keys.map((key, index) => ({
    index,
    key,
    address: validators[index]!.address,
    byzantine: byzantine.has(index),
    crashed: false,
    height: 1n,
    machine: newMachine(1n, validators[index]!.address),
    wal: [],
    future: [],
    decisions: new Map(),
    signed: new Map(),
    epoch: 0,
    syncing: false,
    seen: new Map(),
  }));

  function newMachine(height: bigint, self: Hex): TendermintStateMachine {
    return new TendermintStateMachine({ height, validators, self, timeouts: TIMEOUTS });
  }

  const partitioned = (a: number, b: number) =>
    partitions.some((p) => now >= p.from && now < p.to && p.group.has(a) !== p.group.has(b));

  function send(from: number, to: number, signed: Envelope["signed"], signer = from): void {
    messages++;
    const copies = random.next() < duplication ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      if (random.next() < loss) continue;
      schedule(1 + random.int(maxDelay), () => {
        if (partitioned(from, to)) return; // dropped at delivery: the link was down
        deliver(nodes[to]!, { from, signer, signed });
      });
    }
  }

  function broadcast(node: Node, signed: Envelope["signed"]): void {
    for (const peer of nodes) if (peer.index !== node.index) send(node.index, peer.index, signed);
    schedule(0, () => deliver(node, { from: node.index, signer: node.index, signed })); // to itself, through its own queue
  }

  /** Signs as the sign guard would: the same message again is fine, a conflicting one is a failure. */
  function guardedSign(node: Node, message: ConsensusMessage): Envelope["signed"] {
    const slot = `${message.height}/${message.round}/${message.type}`;
    const previous = node.signed.get(slot);
    if (previous !== undefined && previous !== message.blockHash && !node.byzantine) {
      fail(`honest validator ${node.index} signed two ${message.type}s at ${slot}: ${previous} and ${message.blockHash}`);
    }
    node.signed.set(slot, message.blockHash);
    return signMessage(node.key, CHAIN_ID, message);
  }

  function deliver(node: Node, envelope: Envelope): void {
    if (node.crashed) return;
    const { message } = envelope.signed;
    if (message.height < node.height) return;
    if (message.height > node.height) {
      if (node.future.length < 10_000) node.future.push(envelope);
      catchUp(node, envelope.from);
      return;
    }
    if (node.seen.size < 20_000) node.seen.set(envelope.signed.signature, envelope);
    const event: ConsensusEvent =
      message.type === "proposal"
        ? { type: "proposal", proposal: message, signer: nodes[envelope.signer]!.address, signature: envelope.signed.signature }
        : { type: "vote", vote: message, signer: nodes[envelope.signer]!.address, signature: envelope.signed.signature };
    apply(node, event);
  }

  function apply(node: Node, event: ConsensusEvent): void {
    node.wal.push(event);
    perform(node, node.machine.apply(event));
  }

  function perform(node: Node, effects: ConsensusEffect[], replaying = false): void {
    for (const effect of effects) {
      switch (effect.type) {
        case "buildBlock": {
          const height = node.height;
          const epoch = node.epoch;
          schedule(1 + random.int(5), () => {
            if (node.crashed || node.epoch !== epoch || node.height !== height) return;
            const block = makeBlock(node, effect.height, effect.round, node.byzantine && random.next() < 0.3 ? "invalid" : "valid");
            apply(node, { type: "blockBuilt", height: effect.height, round: effect.round, blockHash: hashOf(block), block });
          });
          break;
        }
        case "propose":
          maxRound = Math.max(maxRound, effect.proposal.round);
          if (replaying) break;
          if (node.byzantine) proposeEquivocating(node, effect.proposal);
          else broadcast(node, guardedSign(node, effect.proposal));
          break;
        case "vote":
          maxRound = Math.max(maxRound, effect.vote.round);
          if (replaying) {
            guardedSign(node, effect.vote); // the guard still refuses a conflict after a restart
            break;
          }
          if (node.byzantine) voteEquivocating(node, effect.vote);
          else broadcast(node, guardedSign(node, effect.vote));
          break;
        case "verifyBlock": {
          const height = node.height;
          const epoch = node.epoch;
          schedule(1 + random.int(10), () => {
            if (node.crashed || node.epoch !== epoch || node.height !== height) return;
            apply(node, { type: "blockVerified", blockHash: effect.blockHash, valid: isValidBlock(effect.block) });
          });
          break;
        }
        case "scheduleTimeout": {
          const epoch = node.epoch;
          schedule(effect.ms, () => {
            if (node.crashed || node.epoch !== epoch || node.height !== effect.height) return;
            apply(node, { type: "timeout", step: effect.step, height: effect.height, round: effect.round });
          });
          break;
        }
        case "commit":
          decide(node, { blockHash: effect.blockHash, block: effect.block, round: effect.round, signatures: effect.signatures });
          return; // the machine of this height is done; the rest belongs to the next height
        case "missingBlock":
          if (!replaying) catchUpFromAnyone(node);
          break;
        case "equivocation":
          if (!byzantine.has(nodes.findIndex((n) => n.address === effect.evidence.signer.toLowerCase()))) {
            fail(`honest validator ${effect.evidence.signer} caught equivocating at ${effect.height}/${effect.round}`);
          }
          break;
      }
    }
  }

  function decide(node: Node, decision: Decision): void {
    const height = node.height;
    if (node.decisions.has(height)) return;
    try {
      verifyCommitCertificate(
        { height, round: decision.round, blockHash: decision.blockHash, signatures: decision.signatures.map((s) => ({ validator: s.signer, signature: s.signature })) },
        CHAIN_ID,
        { height, blockHash: decision.blockHash },
        validators,
      );
    } catch (error) {
      fail(`validator ${node.index} decided height ${height} without a valid certificate: ${(error as Error).message}`);
    }
    if (!isValidBlock(decision.block)) fail(`validator ${node.index} decided an invalid block at ${height}`);
    if (hashOf(decision.block) !== decision.blockHash) fail(`validator ${node.index} decided a block whose hash does not match at ${height}`);
    node.decisions.set(height, decision);
    node.height = height + 1n;
    node.machine = newMachine(node.height, node.address);
    node.wal = [];
    node.seen = new Map();
    perform(node, node.machine.start());
    const pending = node.future;
    node.future = [];
    for (const envelope of pending) deliver(node, envelope);
  }

  /** Block sync: take the decided block of our height from `peer`, only with a certificate that verifies. */
  function catchUp(node: Node, peerIndex: number): void {
    const height = node.height;
    const peer = nodes[peerIndex]!;
    if (node.crashed || node.syncing || !peer.decisions.has(height)) return;
    node.syncing = true;
    schedule(1 + random.int(maxDelay) + syncDelay, () => {
      node.syncing = false;
      if (node.crashed || node.height !== height || partitioned(node.index, peerIndex)) return;
      decide(node, peer.decisions.get(height)!);
    });
  }

  function catchUpFromAnyone(node: Node): void {
    for (const peer of nodes) if (peer.index !== node.index && peer.decisions.has(node.height)) return catchUp(node, peer.index);
  }

  function makeBlock(node: Node, height: bigint, round: number, kind: "valid" | "invalid"): Uint8Array {
    const block = new Uint8Array(48);
    block[0] = kind === "valid" ? 1 : 0;
    block.set(hexToBytes(node.address), 1);
    new DataView(block.buffer).setBigUint64(24, height);
    new DataView(block.buffer).setUint32(32, round);
    block.set(random.bytes(8), 36);
    return block;
  }

  function proposeEquivocating(node: Node, proposal: Proposal): void {
    const other = makeBlock(node, proposal.height, proposal.round, "valid");
    for (const peer of nodes) {
      const chosen = peer.index % 2 === 0 || proposal.polRound !== -1 ? proposal : { ...proposal, blockHash: hashOf(other), block: other };
      const signed = signMessage(node.key, CHAIN_ID, chosen);
      if (peer.index === node.index) schedule(0, () => deliver(node, { from: node.index, signer: node.index, signed }));
      else send(node.index, peer.index, signed);
    }
  }

  /**
   * Two byzantine strategies. "random": each peer gets the honest vote, nil or a made-up block at
   * random. "split": the honest validators are split in two for each height, one half gets the vote for
   * the block and the other nil, so that some lock on (or even decide) a block the others never see a
   * quorum for: the pattern that only the locking rules keep safe.
   */
  const splitStrategy = random.next() < 0.5;
  const splits = new Map<bigint, Set<number>>();
  const halfOf = (height: bigint) => {
    let half = splits.get(height);
    if (half === undefined) splits.set(height, (half = new Set(nodes.filter(() => random.next() < 0.5).map((n) => n.index))));
    return half;
  };

  function voteEquivocating(node: Node, vote: Vote): void {
    const fake = bytesToHex(random.bytes(32)) as Hex;
    for (const peer of nodes) {
      let blockHash: Hex | null;
      if (splitStrategy) blockHash = halfOf(vote.height).has(peer.index) ? vote.blockHash : null;
      else {
        const choice = random.int(3);
        blockHash = choice === 0 ? vote.blockHash : choice === 1 ? null : fake;
      }
      const signed = signMessage(node.key, CHAIN_ID, { ...vote, blockHash });
      if (peer.index === node.index) schedule(0, () => deliver(node, { from: node.index, signer: node.index, signed: signMessage(node.key, CHAIN_ID, vote) }));
      else send(node.index, peer.index, signed);
    }
  }

  for (const crash of crashes) {
    schedule(crash.at, () => {
      const node = nodes[crash.node]!;
      node.crashed = true;
      node.epoch++;
    });
    schedule(crash.back, () => {
      const node = nodes[crash.node]!;
      if (!node.crashed) return;
      node.crashed = false;
      node.epoch++;
      // Restart: a fresh machine replays the write-ahead log of its height; what it signs again is
      // checked against what it signed before the crash, and not sent twice.
      const wal = node.wal;
      node.machine = newMachine(node.height, node.address);
      node.wal = [];
      perform(node, node.machine.start(), true);
      for (const event of wal) {
        node.wal.push(event);
        perform(node, node.machine.apply(event), true);
      }
      // The replay scheduled its round's timeouts again, so it rejoins the round it was in.
    });
  }

  // Gossip: a message is sent once, and every so often each validator also passes everything it has
  // of its current height (its own messages and those it received, signatures intact) to a few random
  // peers, as CometBFT's gossip routines do. Without it a lost precommit could leave a validator
  // waiting for ever, and a byzantine validator's votes, sent differently to different peers, could
  // leave honest validators with views that never meet (the paper's liveness assumes this relay).
  // Some runs gossip rarely, so that split views last long enough for later rounds to act on them.
  const GOSSIP_MS = random.next() < 0.3 ? 5_000 : 400;
  const gossip = (node: Node) => {
    schedule(GOSSIP_MS, () => {
      if (!node.crashed) {
        for (let k = 0; k < 2; k++) {
          const peer = nodes[random.int(count)]!;
          if (peer.index === node.index) continue;
          for (const envelope of node.seen.values()) send(node.index, peer.index, envelope.signed, envelope.signer);
        }
      }
      gossip(node);
    });
  };
  for (const node of nodes) {
    perform(node, node.machine.start());
    gossip(node);
  }

  const honest = nodes.filter((n) => !n.byzantine);
  const done = () => honest.every((n) => n.decisions.size >= targetHeights);
  while (!done()) {
    const task = queue.pop();
    if (task === undefined) fail("the network went quiet before deciding (no message or timeout left)");
    now = task!.at;
    if (now > lastFault + patienceMs) {
      const where = nodes.map((n) => `#${n.index}${n.byzantine ? " byzantine" : ""}${n.crashed ? " crashed" : ""} ${JSON.stringify(n.machine.status(), (_, v) => (typeof v === "bigint" ? String(v) : v))}`);
      fail(`no progress ${patienceMs} ms after the last fault healed (${where.join("; ")})`);
    }
    task!.run();
    checkAgreement(honest, fail);
  }

  return { seed: options.seed, validators: count, byzantine: byzantine.size, heights: targetHeights, simulatedMs: now, messages, maxRound, crashes: crashes.length, partitions: partitions.length };
}

/** The simulation's events by time, then by the order they were scheduled in (a binary heap). */
class TaskQueue {
  private readonly heap: Task[] = [];

  push(task: Task): void {
    const heap = this.heap;
    heap.push(task);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  pop(): Task | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: Task, b: Task): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function checkAgreement(honest: Node[], fail: (reason: string) => never): void {
  const decided = new Map<bigint, Hex>();
  for (const node of honest) {
    for (const [height, decision] of node.decisions) {
      const other = decided.get(height);
      if (other !== undefined && other !== decision.blockHash) fail(`two blocks decided at height ${height}: ${other} and ${decision.blockHash}`);
      decided.set(height, decision.blockHash);
    }
  }
}

function isValidBlock(block: Uint8Array): boolean {
  return block[0] === 1;
}

function hashOf(block: Uint8Array): Hex {
  return bytesToHex(keccak256(block)) as Hex;
}

function shuffled<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
