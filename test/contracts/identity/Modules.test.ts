// The Identity and Content Ignition modules, deployed as the devnet deploys them.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { rm, rmdir } from "node:fs/promises";
import path from "node:path";
import hre, { network } from "hardhat";
import type { Contract } from "ethers";
import IdentityModule from "../../../ignition/modules/Identity.ts";
import ContentModule from "../../../ignition/modules/Content.ts";
import { createCredential, credentialRegistry, readCredentialDomain, signCredential, verifyCredential } from "../../../lib/credentials.ts";
import { cidBytesToString, cidToHex } from "../../../lib/cid.ts";

const HELLO_WORLD_CIDV0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

describe("Identity and Content modules", async () => {
  const { ignition, ethers } = await network.create();
  const [author] = await ethers.getSigners();
  const identity = await ignition.deploy(IdentityModule);
  const content = await ignition.deploy(ContentModule);
  const didRegistry = identity.didRegistry as Contract;
  const registry = identity.credentialRegistry as Contract;
  const contentRegistry = content.contentRegistry as Contract;

  it("deploys the DID registry and a credential registry wired to it", async () => {
    for (const contract of [didRegistry, registry]) {
      assert.notEqual(await ethers.provider.getCode(await contract.getAddress()), "0x");
    }
    assert.equal(await registry.didRegistry(), await didRegistry.getAddress());
    const domain = await readCredentialDomain(ethers.provider, await registry.getAddress());
    assert.equal(domain.chainId, 31337n);
  });

  it("deploys an empty content registry", async () => {
    assert.notEqual(await ethers.provider.getCode(await contentRegistry.getAddress()), "0x");
    assert.equal(await contentRegistry.itemCount(), 0n);
  });

  it("lets an author publish a CID and attest to it with a credential, end to end", async () => {
    const receipt = await (await (contentRegistry.connect(author!) as Contract).publish(cidToHex(HELLO_WORLD_CIDV0), "Hello", "")).wait();
    const itemId = contentRegistry.interface.parseLog(receipt.logs[0])!.args.itemId as bigint;
    const storedCid = cidBytesToString((await contentRegistry.getVersion(itemId, 1n)).cid as string);
    assert.equal(storedCid, HELLO_WORLD_CIDV0);

    const domain = await readCredentialDomain(ethers.provider, await registry.getAddress());
    const credential = createCredential({
      issuer: author!.address,
      subject: author!.address,
      schema: "https://concord.example/schemas/authorship/v1",
      claims: { contentRegistry: await contentRegistry.getAddress(), itemId: Number(itemId), cid: storedCid },
    });
    await (await credentialRegistry(await registry.getAddress(), author!).getFunction("anchor")(credential)).wait();
    const signed = await signCredential(author!, credential, domain);
    assert.equal((await verifyCredential(signed, ethers.provider)).valid, true);
  });
});

describe("Identity and Content modules over HTTP JSON-RPC", async () => {
  // A real HTTP JSON-RPC server (Hardhat's node, port 0) stands in for an external node such as a
  // Concord validator: the modules must deploy through the `http` network type unchanged.
  const server = await network.createServer("default", "127.0.0.1", 0);
  const { port } = await server.listen();
  // Ignition keeps a journal on disk for http networks; a unique id keeps it away from real deployments.
  const deploymentId = `test-http-${process.pid}-${Date.now()}`;
  const deploymentsDir = path.join(hre.config.paths.ignition, "deployments");
  const hadDeploymentsDir = existsSync(deploymentsDir);
  after(async () => {
    await rm(path.join(deploymentsDir, deploymentId), { recursive: true, force: true });
    // Leave no empty folder behind either; rmdir refuses if anything else lives there.
    if (!hadDeploymentsDir) await rmdir(deploymentsDir).catch(() => undefined);
    await server.close();
  });
  const { ignition, ethers } = await network.create({ network: "devnet", override: { url: `http://127.0.0.1:${port}` } });

  it("deploys Identity and Content through an http network", async () => {
    const { didRegistry, credentialRegistry: deployed } = await ignition.deploy(IdentityModule, { deploymentId });
    const { contentRegistry } = await ignition.deploy(ContentModule, { deploymentId });
    assert.equal(await (deployed as Contract).didRegistry(), await (didRegistry as Contract).getAddress());
    assert.equal(await (contentRegistry as Contract).itemCount(), 0n);
    assert.notEqual(await ethers.provider.getCode(await (contentRegistry as Contract).getAddress()), "0x");
  });
});
