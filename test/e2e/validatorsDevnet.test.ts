/**
 * The app on the devnet `npm start` runs by default: four validator processes agreeing over libp2p.
 * In the browser, with the injected test wallet: sign in with Ethereum, delegate, create a proposal
 * (its description pinned to IPFS), vote (once gasless, through the app's relay), queue and execute;
 * every transaction is agreed on by the four validators, and each of them serves the same blocks.
 * There is no time travel on a network of validators, so the governance delays are a few seconds
 * of real time here (governance.test.ts covers the full flow on one validator, with time travel).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { getAddress, parseEther, type Address, type Hex } from "viem";
import { contractAbis } from "../../appLib/contracts.generated.ts";
import { rpc } from "../devnet/devnetProcess.ts";
import { startAppStack, type AppStack } from "../app/helpers/appStack.ts";
import { TEST_WALLET_NAME } from "./testWallet.ts";
import { openTestBrowser, STEP_TIMEOUT, type TestBrowser } from "./browser.ts";

const RECIPIENT: Address = getAddress("0x00000000000000000000000000000000c0ffee01");
const TIMING = { votingDelay: 1, votingPeriod: 20, lateQuorumExtension: 5, timelockMinDelay: 5 };

describe("the app on four validator processes (the default devnet), end to end in the browser", () => {
  let stack: AppStack;
  let browser: TestBrowser;
  let validatorUrls: string[];
  let proposalUrl: string;

  before(async () => {
    stack = await startAppStack({ validators: 4, governance: TIMING });
    validatorUrls = (stack.devnet.output().match(/#\d 0x[0-9a-fA-F]{40}\s+http:\/\/127\.0\.0\.1:\d+/g) ?? []).map((line) => /http:\/\/\S+/.exec(line)![0]);
    assert.equal(validatorUrls.length, 4, stack.devnet.output());
    browser = await openTestBrowser([0, 1, 2].map((index) => stack.account(index)), stack.rpcUrl, stack.chainId);
    await stack.send(3, { address: stack.addresses.token, abi: contractAbis.ConcordToken, functionName: "transfer", args: [stack.addresses.timelock, parseEther("500")] });
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const state = () => browser.page.getByTestId("proposal-state").first().textContent();

  it("shows the DAO and signs in with Ethereum through the injected wallet", async () => {
    const { page } = browser;
    await page.goto(stack.appUrl);
    await page.getByRole("heading", { level: 1, name: "Concord DAO" }).waitFor();
    assert.match((await page.getByTestId("treasury-tokens").textContent())!, /500 CORD/);
    await page.locator("summary", { hasText: "Connect wallet" }).click();
    await page.getByRole("button", { name: new RegExp(TEST_WALLET_NAME) }).click();
    await page.getByTestId("connected-address").waitFor();
    await page.getByRole("button", { name: "Sign in with Ethereum" }).click();
    await page.getByTestId("signed-in-as").waitFor();
    assert.ok(browser.wallet.log.includes("personal_sign"));
    await browser.shot("v4-01-signed-in");
  });

  it("delegates from two accounts and creates a proposal, its description pinned to IPFS", async () => {
    const { page, wallet } = browser;
    for (const index of [0, 1]) {
      await wallet.useAccount(page, index);
      await page.goto(`${stack.appUrl}/account`);
      await page.getByRole("button", { name: "Delegate to myself" }).click();
      await browser.confirmed();
      await page.getByTestId("voting-power").filter({ hasText: "1,000,000 CORD" }).waitFor();
    }
    await wallet.useAccount(page, 0);
    await page.goto(`${stack.appUrl}/proposals/new`);
    await page.getByTestId("threshold-ok").waitFor();
    await page.locator("#proposal-title").fill("Pay for the validators' hosting");
    await page.locator("#proposal-body").fill("Four validators, **one** decision.");
    await page.getByLabel("Recipient address").fill(RECIPIENT);
    await page.getByLabel("Amount (CORD)").fill("25");
    await page.getByRole("button", { name: "Create proposal" }).click();
    await page.waitForURL(/\/proposals\/\d+$/, { timeout: STEP_TIMEOUT });
    proposalUrl = page.url();
    assert.match((await page.getByTestId("ipfs-source").textContent())!, /Fetched from IPFS by CID Qm\w+ .*identical to the description on chain/);
    await browser.shot("v4-02-proposal");
  });

  it("votes, once gasless through the app's relay, then queues and executes once the delays have passed in real time", async () => {
    const { page, wallet } = browser;
    await stack.travel(TIMING.votingDelay + 1);
    await page.goto(proposalUrl);
    assert.equal(await state(), "Active");
    await page.getByRole("button", { name: "Vote For" }).click();
    await browser.confirmed();

    await wallet.useAccount(page, 1);
    await page.reload();
    const balanceBefore = await stack.client.getBalance({ address: stack.account(1).address });
    await page.getByRole("button", { name: /Vote without gas/ }).click();
    await browser.confirmed();
    assert.equal(await stack.client.getBalance({ address: stack.account(1).address }), balanceBefore, "the gasless voter paid nothing");
    await page.reload();
    assert.match((await page.getByTestId("tally-for").textContent())!, /2,000,000 CORD/);

    await stack.travel(TIMING.votingPeriod + 1);
    await page.reload();
    assert.equal(await state(), "Succeeded");
    await page.getByRole("button", { name: "Queue for execution" }).click();
    await browser.confirmed();
    await stack.travel(TIMING.timelockMinDelay + 1);
    await page.reload();
    await page.getByRole("button", { name: "Execute" }).click();
    await browser.confirmed();
    await page.reload();
    assert.equal(await state(), "Executed");
    await browser.shot("v4-03-executed");

    const received = await stack.client.readContract({ address: stack.addresses.token, abi: contractAbis.ConcordToken, functionName: "balanceOf", args: [RECIPIENT] });
    assert.equal(received, parseEther("25"));
    assert.deepEqual(browser.pageErrors, [], "no uncaught errors in the page");
  });

  it("left the same chain on every validator", async () => {
    const head = await rpc<Hex>(validatorUrls[0]!, "eth_blockNumber");
    const blockAt = (url: string) => rpc<{ hash: Hex } | null>(url, "eth_getBlockByNumber", [head, false]);
    // A validator may commit the head a moment after the first one did.
    let blocks = await Promise.all(validatorUrls.map(blockAt));
    for (let tries = 0; tries < 100 && blocks.some((block) => block === null); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      blocks = await Promise.all(validatorUrls.map(blockAt));
    }
    assert.ok(blocks.every((block) => block !== null && block.hash === blocks[0]!.hash), JSON.stringify(blocks));
  });
});
