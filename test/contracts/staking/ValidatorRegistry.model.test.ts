import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { DEFAULT_CONFIG, ETHER, activeSet, connect, deployRegistry, signerAddress, signerConsent, systemCallerSigner } from "./fixture.ts";

/** A small seeded generator (xorshift32): the same sequence on every run, so a failure reproduces. */
function random(seed: number): (below: number) => number {
  let state = seed >>> 0 || 1;
  return (below) => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % below;
  };
}

interface ModelValidator {
  signer: string;
  stake: bigint;
  jailed: boolean;
  registered: boolean;
}

/** The rule the node relies on, written independently of the contract. */
function expectedSet(validators: Iterable<ModelValidator>, minSelfStake: bigint, seats: number): [string[], bigint[]] {
  const eligible = [...validators].filter((v) => v.registered && !v.jailed && v.stake >= minSelfStake);
  eligible.sort((a, b) => (a.stake !== b.stake ? (a.stake > b.stake ? -1 : 1) : BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
  const top = eligible.slice(0, seats);
  return [top.map((v) => v.signer), top.map((v) => v.stake)];
}

describe("ValidatorRegistry active set against a model (seeded random histories)", async () => {
  const { ethers, networkHelpers } = await network.create();
  const [, operator] = await ethers.getSigners();
  const MIN = 10n * ETHER;

  for (const seed of [7, 1234, 99991]) {
    it(`matches the model over 6 epochs of random stake changes and jails (seed ${seed})`, async () => {
      const next = random(seed);
      const seats = 5 + next(6);
      const initial = Array.from({ length: 12 }, (_, i) => ({
        operator: operator!.address,
        signer: signerAddress(200 + next(50) * 20 + i), // shuffled, distinct signers
        // Few distinct stakes so ties are common.
        stake: MIN + BigInt(next(4)) * ETHER,
      }));
      const registry = await deployRegistry(ethers, initial, { ...DEFAULT_CONFIG, minSelfStake: MIN, maxValidators: BigInt(seats) });
      const system = await systemCallerSigner(ethers, networkHelpers);
      const asOperator = connect(registry, operator!);
      const asSystem = connect(registry, system);
      const model = new Map<string, ModelValidator>(initial.map((v) => [v.signer, { signer: v.signer, stake: v.stake, jailed: false, registered: true }]));
      assert.deepEqual(await activeSet(registry), expectedSet(model.values(), MIN, seats));

      for (let epoch = 1; epoch <= 6; epoch++) {
        for (let op = 0; op < 6; op++) {
          const all = [...model.values()];
          const v = all[next(all.length)]!;
          switch (next(5)) {
            case 0: {
              if (!v.registered) break;
              const amount = BigInt(1 + next(3)) * ETHER;
              await asOperator.addStake(v.signer, { value: amount });
              v.stake += amount;
              break;
            }
            case 1: {
              if (!v.registered) break;
              const amount = v.stake <= 2n * ETHER ? v.stake : BigInt(1 + next(2)) * ETHER;
              await asOperator.requestUnbond(v.signer, amount);
              v.stake -= amount;
              if (v.stake === 0n) v.registered = false;
              break;
            }
            case 2:
              await asSystem.jail(v.signer, BigInt(await networkHelpers.time.latest()) + 50n);
              v.jailed = true;
              break;
            case 3:
              if (!v.registered || !v.jailed || v.stake < MIN) break;
              await networkHelpers.time.increase(60);
              await asOperator.unjail(v.signer);
              v.jailed = false;
              break;
            case 4: {
              const signer = signerAddress(1300 + epoch * 20 + op);
              if ((await registry.registeredValidators()).length >= 100) break;
              const stake = MIN + BigInt(next(4)) * ETHER;
              await asOperator.register(signer, await signerConsent(registry, signer, operator!.address), { value: stake });
              model.set(signer, { signer, stake, jailed: false, registered: true });
              break;
            }
          }
        }
        for (const v of model.values()) {
          const onChain = await registry.validatorBySigner(v.signer);
          assert.deepEqual([onChain.stake, onChain.jailed, onChain.registered], [v.stake, v.jailed, v.registered], v.signer);
        }
        const before = await activeSet(registry);
        await asSystem.advanceEpoch();
        const expected = expectedSet(model.values(), MIN, seats);
        // The contract keeps the previous set when nobody is eligible.
        assert.deepEqual(await activeSet(registry), expected[0].length === 0 ? before : expected, `epoch ${epoch}`);
      }
    });
  }
});
