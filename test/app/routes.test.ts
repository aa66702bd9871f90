/**
 * The app's routes over HTTP against the real production server, chain and IPFS: Sign-In with
 * Ethereum and each refusal, the session, the gasless vote relay (forged, replayed, rate limited),
 * IPFS pinning, the developer wallet and faucet (devnet only) and the JSON-RPC proxy.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { SiweMessage } from "siwe";
import { encodeFunctionData, getAddress, hashTypedData, parseEther, type Address, type Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { contractAbis } from "../../appLib/contracts.generated.ts";
import { ballotTypedData, governorDomain } from "../../appLib/ballot.ts";
import { freePort, startAppServer, type AppServer } from "../../devnet/appServer.ts";
import { PROJECT_ROOT, startDevnetProcess } from "../devnet/devnetProcess.ts";
import { startAppStack, type AppStack } from "./helpers/appStack.ts";
import { HttpSession } from "./helpers/httpSession.ts";

const governorAbi = contractAbis.ConcordGovernor;
const tokenAbi = contractAbis.ConcordToken;

let stack: AppStack;
before(async () => {
  stack = await startAppStack();
});
after(async () => {
  await stack?.stop();
});

interface MessageOverrides {
  domain?: string;
  uri?: string;
  chainId?: number;
  nonce?: string;
  expirationTime?: string | null;
  issuedAt?: string;
  address?: Address;
}

async function signInMessage(http: HttpSession, account: PrivateKeyAccount, overrides: MessageOverrides = {}) {
  const nonce = overrides.nonce ?? ((await http.request<{ nonce: string }>("/api/auth/nonce")).body.nonce);
  const url = new URL(stack.appUrl);
  const issuedAt = overrides.issuedAt ?? new Date().toISOString();
  const message = new SiweMessage({
    domain: overrides.domain ?? url.host,
    address: overrides.address ?? account.address,
    statement: "Sign in to Concord.",
    uri: overrides.uri ?? stack.appUrl,
    version: "1",
    chainId: overrides.chainId ?? stack.chainId,
    nonce,
    issuedAt,
    expirationTime: overrides.expirationTime === null ? undefined : (overrides.expirationTime ?? new Date(Date.now() + 10 * 60_000).toISOString()),
  }).prepareMessage();
  return { message, signature: await account.signMessage({ message }), nonce };
}

async function signIn(http: HttpSession, account: PrivateKeyAccount) {
  const signed = await signInMessage(http, account);
  const answer = await http.request("/api/auth/verify", { body: { message: signed.message, signature: signed.signature } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return signed;
}

function assertRefused(answer: { status: number; body: Record<string, unknown> }, status: number, code: string, words: RegExp) {
  const error = answer.body.error as { code: string; message: string } | undefined;
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(error?.code, code);
  assert.match(error!.message, words);
}

describe("Sign-In with Ethereum", () => {
  it("issues a fresh alphanumeric nonce each time", async () => {
    const http = new HttpSession(stack.appUrl);
    const first = (await http.request<{ nonce: string }>("/api/auth/nonce")).body.nonce;
    const second = (await http.request<{ nonce: string }>("/api/auth/nonce")).body.nonce;
    assert.match(first, /^[a-zA-Z0-9]{16,}$/);
    assert.notEqual(first, second);
  });

  it("signs in with a valid message: an encrypted httpOnly SameSite cookie holds the session, sign-out ends it", async () => {
    const http = new HttpSession(stack.appUrl);
    assert.deepEqual((await http.request("/api/auth/session")).body, { address: null });
    const signed = await signInMessage(http, stack.account(1));
    const answer = await http.request("/api/auth/verify", { body: { message: signed.message, signature: signed.signature } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const cookie = answer.headers.getSetCookie().find((line) => line.startsWith("concord_session="));
    assert.ok(cookie, "a session cookie is set");
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.doesNotMatch(cookie, new RegExp(stack.account(1).address.slice(2), "i"), "the cookie does not show the address: it is encrypted");
    assert.deepEqual((await http.request("/api/auth/session")).body, { address: stack.account(1).address });

    const tampered = new HttpSession(stack.appUrl);
    tampered.cookies.set("concord_session", `${http.cookies.get("concord_session")!.slice(0, -4)}AAAA`);
    assert.deepEqual((await tampered.request("/api/auth/session")).body, { address: null }, "a tampered cookie is no session");

    assert.equal((await http.request("/api/auth/session", { method: "DELETE" })).status, 200);
    assert.deepEqual((await http.request("/api/auth/session")).body, { address: null });
  });

  it("refuses a replayed message, naming the replay", async () => {
    const http = new HttpSession(stack.appUrl);
    const signed = await signIn(http, stack.account(2));
    const replay = await new HttpSession(stack.appUrl).request("/api/auth/verify", { body: { message: signed.message, signature: signed.signature } });
    assertRefused(replay, 401, "REPLAYED_MESSAGE", /already used/);
  });

  it("refuses a new message that reuses a spent nonce", async () => {
    const http = new HttpSession(stack.appUrl);
    const first = await signIn(http, stack.account(2));
    const again = await signInMessage(http, stack.account(3), { nonce: first.nonce });
    assertRefused(await http.request("/api/auth/verify", { body: { message: again.message, signature: again.signature } }), 401, "NONCE_REUSED", /nonce was already used/);
  });

  it("refuses a nonce the server never issued", async () => {
    const http = new HttpSession(stack.appUrl);
    const signed = await signInMessage(http, stack.account(1), { nonce: "madeUpNonce12345" });
    assertRefused(await http.request("/api/auth/verify", { body: signed }), 401, "UNKNOWN_NONCE", /not issued by this server/);
  });

  it("refuses a message for another domain", async () => {
    const http = new HttpSession(stack.appUrl);
    const signed = await signInMessage(http, stack.account(1), { domain: "evil.example" });
    assertRefused(await http.request("/api/auth/verify", { body: signed }), 401, "WRONG_DOMAIN", /signs in to evil\.example, not to this app/);
  });

  it("refuses a message whose URI is on another site", async () => {
    const http = new HttpSession(stack.appUrl);
    const signed = await signInMessage(http, stack.account(1), { uri: "https://evil.example/login" });
    assertRefused(await http.request("/api/auth/verify", { body: signed }), 401, "WRONG_URI", /is not on this app/);
  });

  it("refuses a message for another chain", async () => {
    const http = new HttpSession(stack.appUrl);
    const signed = await signInMessage(http, stack.account(1), { chainId: 1 });
    assertRefused(await http.request("/api/auth/verify", { body: signed }), 401, "WRONG_CHAIN", new RegExp(`for chain 1, but this app runs on chain ${stack.chainId}`));
  });

  it("refuses an expired message, and one that never expires", async () => {
    const http = new HttpSession(stack.appUrl);
    const expired = await signInMessage(http, stack.account(1), {
      issuedAt: new Date(Date.now() - 20 * 60_000).toISOString(),
      expirationTime: new Date(Date.now() - 10 * 60_000).toISOString(),
    });
    assertRefused(await http.request("/api/auth/verify", { body: expired }), 401, "EXPIRED", /expired at/);
    const endless = await signInMessage(http, stack.account(1), { expirationTime: null });
    assertRefused(await http.request("/api/auth/verify", { body: endless }), 401, "MISSING_EXPIRATION", /no expiration time/);
  });

  it("refuses a forged signature (another key signed it)", async () => {
    const http = new HttpSession(stack.appUrl);
    const honest = await signInMessage(http, stack.account(1));
    const forged = await stack.account(4).signMessage({ message: honest.message });
    assertRefused(await http.request("/api/auth/verify", { body: { message: honest.message, signature: forged } }), 401, "INVALID_SIGNATURE", /was not made by/);
    assert.deepEqual((await http.request("/api/auth/session")).body, { address: null });
  });

  it("accepts an ERC-1271 contract wallet's signature, checked through the chain, and refuses a non-owner's", async () => {
    const artifact = JSON.parse(
      await readFile(path.join(PROJECT_ROOT, "artifacts/contracts/testing/OwnedContractWallet.sol/OwnedContractWallet.json"), "utf8"),
    ) as { abi: unknown[]; bytecode: Hex };
    const owner = stack.account(3);
    const deployHash = await stack.send(3, { data: `${artifact.bytecode}${owner.address.slice(2).toLowerCase().padStart(64, "0")}` as Hex });
    const wallet = getAddress((await stack.client.getTransactionReceipt({ hash: deployHash })).contractAddress!);

    const http = new HttpSession(stack.appUrl);
    const byOwner = await signInMessage(http, owner, { address: wallet });
    const accepted = await http.request("/api/auth/verify", { body: { message: byOwner.message, signature: byOwner.signature } });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.deepEqual((await http.request("/api/auth/session")).body, { address: wallet });

    const stranger = new HttpSession(stack.appUrl);
    const byStranger = await signInMessage(stranger, stack.account(4), { address: wallet });
    assertRefused(await stranger.request("/api/auth/verify", { body: byStranger }), 401, "INVALID_SIGNATURE", new RegExp(`not made by ${wallet}`));
  });

  it("refuses a sign-in posted from another site's page (Origin check)", async () => {
    const http = new HttpSession(stack.appUrl);
    const signed = await signInMessage(http, stack.account(1));
    assertRefused(await http.request("/api/auth/verify", { body: signed, origin: "https://evil.example" }), 403, "CROSS_ORIGIN", /not accepted/);
  });
});

describe("routes that act for a user need a session", () => {
  it("pins a proposal's Markdown to IPFS only for a signed-in account", async () => {
    const http = new HttpSession(stack.appUrl);
    assertRefused(await http.request("/api/ipfs", { body: { title: "T", body: "B" } }), 401, "NOT_SIGNED_IN", /sign in/);
    await signIn(http, stack.account(1));
    assertRefused(await http.request("/api/ipfs", { body: { title: "", body: "B" } }), 400, "INVALID_TITLE", /title/);
    const pinned = await http.request<{ cid: string; markdown: string }>("/api/ipfs", { body: { title: "Fund the docs", body: "We **should**." } });
    assert.equal(pinned.status, 200, JSON.stringify(pinned.body));
    assert.equal(pinned.body.markdown, "# Fund the docs\n\nWe **should**.\n");
    assert.equal(await (await fetch(`${stack.gatewayUrl}/ipfs/${pinned.body.cid}`)).text(), pinned.body.markdown);
  });
});

describe("gasless voting relay", () => {
  let proposalId: bigint;
  const voter = () => stack.account(1);

  before(async () => {
    // Accounts #1 and #2 delegate to themselves; #1 proposes a harmless setting change.
    for (const index of [1, 2]) {
      await stack.send(index, { address: stack.addresses.token, abi: tokenAbi, functionName: "delegate", args: [stack.account(index).address] });
    }
    await stack.travel(2);
    proposalId = await stack.propose(
      1,
      [{ target: stack.addresses.governor, value: 0n, calldata: encodeFunctionData({ abi: governorAbi, functionName: "setLateQuorumVoteExtension", args: [15] }) }],
      "Relay test",
    );
    await stack.travel(2); // past the 1 s voting delay: Active
    assert.equal(await stack.client.readContract({ address: stack.addresses.governor, abi: governorAbi, functionName: "state", args: [proposalId] }), 1);
  });

  async function ballot(signer: PrivateKeyAccount, support: number, reason: string, voterAddress: Address = voter().address, nonceOffset = 0n) {
    const governor = { address: stack.addresses.governor, abi: governorAbi } as const;
    const [domainAnswer, nonce] = await Promise.all([
      stack.client.readContract({ ...governor, functionName: "eip712Domain" }),
      stack.client.readContract({ ...governor, functionName: "nonces", args: [voterAddress] }),
    ]);
    const typed = ballotTypedData(governorDomain(domainAnswer), { proposalId, support, voter: voterAddress, nonce: nonce + nonceOffset, reason });
    return { proposalId: proposalId.toString(), support, voter: voterAddress, reason, signature: await signer.signTypedData(typed), digest: hashTypedData(typed) };
  }

  it("refuses a ballot from someone not signed in, and one for another account than the session's", async () => {
    const signed = await ballot(voter(), 1, "yes");
    assertRefused(await new HttpSession(stack.appUrl).request("/api/relay/vote", { body: signed }), 401, "NOT_SIGNED_IN", /sign in/);
    const other = new HttpSession(stack.appUrl);
    await signIn(other, stack.account(2));
    assertRefused(await other.request("/api/relay/vote", { body: signed }), 403, "WRONG_ACCOUNT", /signed in as/);
  });

  it("refuses a forged ballot (signed by another key) before spending gas", async () => {
    const http = new HttpSession(stack.appUrl);
    await signIn(http, voter());
    const forged = await ballot(stack.account(4), 1, "forged");
    assertRefused(await http.request("/api/relay/vote", { body: forged }), 400, "INVALID_SIGNATURE", /was not signed by/);
    const hasVoted = await stack.client.readContract({ address: stack.addresses.governor, abi: governorAbi, functionName: "hasVoted", args: [proposalId, voter().address] });
    assert.equal(hasVoted, false);
  });

  it("relays a valid ballot (the relay pays the gas, the vote counts for the voter), then refuses its replay", async () => {
    const http = new HttpSession(stack.appUrl);
    await signIn(http, voter());
    const balanceBefore = await stack.client.getBalance({ address: voter().address });
    const signed = await ballot(voter(), 1, "Relayed: for");
    const answer = await http.request<{ hash: Hex }>("/api/relay/vote", { body: signed });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const receipt = await stack.client.getTransactionReceipt({ hash: answer.body.hash });
    assert.notEqual(getAddress(receipt.from), voter().address, "the relay sent it");
    assert.equal(await stack.client.getBalance({ address: voter().address }), balanceBefore, "the voter paid nothing");
    const [, forVotes] = await stack.client.readContract({ address: stack.addresses.governor, abi: governorAbi, functionName: "proposalVotes", args: [proposalId] });
    assert.equal(forVotes, parseEther("1000000"));

    assertRefused(await http.request("/api/relay/vote", { body: signed }), 409, "BALLOT_REPLAYED", /already relayed/);
  });

  it("refuses the voter's old ballot signed again with the spent nonce, naming the replay", async () => {
    const http = new HttpSession(stack.appUrl);
    await signIn(http, voter());
    const stale = await ballot(voter(), 0, "second try", voter().address, -1n);
    assertRefused(await http.request("/api/relay/vote", { body: stale }), 409, "BALLOT_REPLAYED", /already used on chain/);
  });

  it("refuses a vote the Governor would refuse, in words, and rate limits relays per address", async () => {
    const http = new HttpSession(stack.appUrl);
    await signIn(http, voter());
    const again = await ballot(voter(), 0, "vote twice");
    assertRefused(await http.request("/api/relay/vote", { body: again }), 409, "VOTE_REFUSED", /has already voted/);
    // 5 relays per minute per address. Counted so far for #1: the forged, valid and stale ballots and
    // the one above (a replay of a relayed signature is refused before the limiter): one more passes
    // the limiter, the next does not.
    assertRefused(await http.request("/api/relay/vote", { body: await ballot(voter(), 2, "fifth") }), 409, "VOTE_REFUSED", /has already voted/);
    assertRefused(await http.request("/api/relay/vote", { body: await ballot(voter(), 2, "sixth") }), 429, "RATE_LIMITED", /too many relayed votes/);
  });
});

describe("the developer wallet and faucet", () => {
  it("sign with the devnet's test accounts only, and the faucet funds a signed-in account", async () => {
    const http = new HttpSession(stack.appUrl);
    const accounts = await http.request<{ result: Address[] }>("/api/dev-wallet", { body: { method: "eth_accounts", params: [] } });
    assert.equal(accounts.body.result.length, 20);
    assert.equal(accounts.body.result[0], stack.account(0).address);
    const stranger = "0x000000000000000000000000000000000000dEaD";
    assertRefused(
      await http.request("/api/dev-wallet", { body: { method: "personal_sign", params: ["0x68656c6c6f", stranger] } }),
      403,
      "NOT_A_TEST_ACCOUNT",
      /not one of the devnet's test accounts/,
    );
    const signed = await http.request<{ result: Hex }>("/api/dev-wallet", { body: { method: "personal_sign", params: ["0x68656c6c6f", stack.account(2).address] } });
    assert.equal(signed.body.result, await stack.account(2).signMessage({ message: "hello" }));

    assertRefused(await http.request("/api/faucet", { body: {} }), 401, "NOT_SIGNED_IN", /sign in/);
    const newcomer = (await import("viem/accounts")).privateKeyToAccount(`0x${"42".repeat(32)}`);
    await signIn(http, newcomer);
    const funded = await http.request("/api/faucet", { body: {} });
    assert.equal(funded.status, 200, JSON.stringify(funded.body));
    assert.equal(await stack.client.getBalance({ address: newcomer.address }), parseEther("10"));
    assert.equal(
      await stack.client.readContract({ address: stack.addresses.token, abi: tokenAbi, functionName: "balanceOf", args: [newcomer.address] }),
      parseEther("1000"),
    );
  });

  it("are refused by an app whose chain is not a devnet", async () => {
    // A plain node on chain 4242, and a second app server on it without the devnet's configuration.
    const node = startDevnetProcess(["node", "--port", "0", "--chain-id", "4242", "--data-dir", path.join(stack.dataDir, "other-chain")]);
    let app: AppServer | undefined;
    try {
      const [, rpcUrl] = await node.waitFor(/JSON-RPC\s+(http:\/\/\S+)/);
      app = await startAppServer({
        host: "127.0.0.1",
        port: await freePort("127.0.0.1"),
        env: { CONCORD_RPC_URL: rpcUrl, CONCORD_DEPLOYMENT_FILE: path.join(stack.dataDir, "devnet", "deployed-addresses.json"), CONCORD_DEVNET_CHAIN_ID: "" },
      });
      const http = new HttpSession(app.url);
      assertRefused(
        await http.request("/api/dev-wallet", { body: { method: "eth_accounts", params: [] } }),
        403,
        "NOT_A_DEVNET",
        /exists only on a devnet, and this app runs on chain 4242/,
      );
      assertRefused(await http.request("/api/faucet", { body: {} }), 403, "NOT_A_DEVNET", /only on a devnet/);
    } finally {
      await app?.stop();
      await node.interrupt();
    }
  });
});

describe("the browser's JSON-RPC proxy", () => {
  it("forwards standard methods, batched, and refuses dev methods", async () => {
    const answer = await fetch(`${stack.appUrl}/api/rpc`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        { jsonrpc: "2.0", id: "a", method: "eth_chainId", params: [] },
        { jsonrpc: "2.0", id: 7, method: "evm_increaseTime", params: [1000] },
      ]),
    });
    const body = (await answer.json()) as { id: unknown; result?: string; error?: { code: number; message: string } }[];
    assert.equal(body[0].id, "a");
    assert.equal(Number(body[0].result), stack.chainId);
    assert.equal(body[1].id, 7);
    assert.equal(body[1].error?.code, -32601);
    assert.match(body[1].error!.message, /not available through the app/);
  });
});
