/**
 * The whole governance flow in a real browser (Debian's Chromium, headless, driven by playwright-core)
 * against the real app, devnet and IPFS: a test wallet injected as an EIP-6963 provider signs with
 * test keys. Sign in (after a rejected signature and a wrong network), delegate from three accounts,
 * create a proposal with a Markdown description and a treasury transfer, vote from three accounts (one
 * gasless), see the tallies change, queue and execute after the delays (time travel), and find the
 * transfer done on chain. Screenshots of each page go to test-output/e2e/.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { getAddress, parseEther, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { contractAbis } from "../../appLib/contracts.generated.ts";
import { startAppStack, TEST_GOVERNANCE_TIMING, type AppStack } from "../app/helpers/appStack.ts";
import { TEST_WALLET_NAME, type TestWallet } from "./testWallet.ts";
import { openTestBrowser, STEP_TIMEOUT, type TestBrowser } from "./browser.ts";

const RECIPIENT: Address = getAddress("0x00000000000000000000000000000000c0ffee00");

describe("governance in the browser, end to end", () => {
  let stack: AppStack;
  let browser: TestBrowser;
  let page: Page;
  let wallet: TestWallet;
  let proposalUrl: string;
  let consoleErrors: string[];
  let shot: TestBrowser["shot"];
  let confirmed: TestBrowser["confirmed"];

  before(async () => {
    stack = await startAppStack();
    // Test accounts #0-#2, and a newcomer with nothing at all (index 3).
    browser = await openTestBrowser([...[0, 1, 2].map((index) => stack.account(index)), privateKeyToAccount(generatePrivateKey())], stack.rpcUrl, stack.chainId);
    ({ page, wallet, shot, confirmed, pageErrors: consoleErrors } = browser);
    // The treasury needs tokens to transfer: account #3 sends it 500 CORD.
    await stack.send(3, { address: stack.addresses.token, abi: contractAbis.ConcordToken, functionName: "transfer", args: [stack.addresses.timelock, parseEther("500")] });
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const state = () => page.getByTestId("proposal-state").first().textContent();

  it("shows the DAO, reachable by keyboard, every image described", async () => {
    await page.goto(stack.appUrl);
    await page.getByRole("heading", { level: 1, name: "Concord DAO" }).waitFor();
    assert.match((await page.getByTestId("treasury-tokens").textContent())!, /500 CORD/);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
    await shot("01-overview");
  });

  it("connects the injected wallet (the developer wallet is offered too), refuses a wrong network, and signs in after a rejected signature", async () => {
    await page.locator("summary", { hasText: "Connect wallet" }).click();
    await page.getByRole("button", { name: /Developer wallet/ }).waitFor();
    await shot("02-connect-menu");
    await page.getByRole("button", { name: new RegExp(TEST_WALLET_NAME) }).click();
    await page.getByTestId("connected-address").waitFor();

    await wallet.useChain(page, 1);
    const banner = page.getByRole("alert").filter({ hasText: "Your wallet is on chain 1" });
    await banner.waitFor();
    await shot("03-wrong-network");
    await banner.getByRole("button", { name: /Switch to/ }).click();
    await banner.waitFor({ state: "detached" });

    wallet.rejectNextRequest();
    await page.getByRole("button", { name: "Sign in with Ethereum" }).click();
    await page.getByText("You rejected the request in your wallet").waitFor();
    await page.getByRole("button", { name: "Sign in with Ethereum" }).click();
    await page.getByTestId("signed-in-as").waitFor();
    assert.ok(wallet.log.includes("personal_sign"));
    const images = await page.$$eval("img", (all) => all.filter((img) => !img.hasAttribute("alt")).length);
    assert.equal(images, 0, "every image has alt text");
  });

  it("explains to a newcomer why they cannot propose or pay gas yet (a revert decoded into words, insufficient funds), then the faucet funds them", async () => {
    await wallet.useAccount(page, 3);
    await page.goto(`${stack.appUrl}/proposals/new`);
    await page.getByTestId("threshold-below").filter({ hasText: "You cannot propose yet" }).waitFor();
    await page.locator("#proposal-title").fill("A newcomer's idea");
    await page.locator("#proposal-body").fill("Let me propose.");
    await page.getByLabel("Recipient address").fill(RECIPIENT);
    await page.getByLabel("Amount (CORD)").fill("1");
    await page.getByRole("button", { name: "Create proposal" }).click();
    await page.locator('[data-phase="failed"]').filter({ hasText: "You have 0 CORD of voting power, but creating a proposal needs 1,000 CORD" }).waitFor();
    await shot("05a-new-proposal-below-threshold");

    await page.goto(`${stack.appUrl}/account`);
    await page.getByRole("button", { name: "Delegate to myself" }).click();
    await page.locator('[data-phase="failed"]').filter({ hasText: "does not have enough ETH" }).waitFor();
    await page.getByRole("button", { name: "Get test ETH and CORD" }).click();
    await page.getByText(/Sent 10 ETH and 1,000 CORD/).waitFor();
    await page.getByTestId("eth-balance").filter({ hasText: "10 ETH" }).waitFor();
    await shot("04a-account-faucet");
    await wallet.useAccount(page, 0);
  });

  it("delegates voting power from three accounts", async () => {
    for (const index of [0, 1, 2]) {
      await wallet.useAccount(page, index);
      await page.goto(`${stack.appUrl}/account`);
      await page.getByTestId("delegate").filter({ hasText: "nobody yet" }).waitFor();
      await page.getByRole("button", { name: "Delegate to myself" }).click();
      await confirmed();
      await page.getByTestId("voting-power").filter({ hasText: "1,000,000 CORD" }).waitFor();
      await page.getByTestId("delegate").filter({ hasText: "yourself" }).waitFor();
      if (index === 0) await shot("04-account-delegated");
    }
    await wallet.useAccount(page, 0);
  });

  it("creates a proposal: Markdown pinned to IPFS, a treasury transfer encoded from the form", async () => {
    await page.goto(`${stack.appUrl}/proposals/new`);
    await page.getByTestId("threshold-ok").waitFor();
    await page.locator("#proposal-title").fill("Fund the documentation sprint");
    await page.locator("#proposal-body").fill(
      "## Why\n\nThe docs need **two weeks** of work.\n\n- write the guide\n- record the demo\n\n<b id=\"raw-html\">raw HTML is not rendered</b>\n",
    );
    await page.getByLabel("Recipient address").fill(RECIPIENT);
    await page.getByLabel("Amount (CORD)").fill("100");
    await page.getByTestId("action-preview").filter({ hasText: `Transfer 100 CORD from the treasury to ${RECIPIENT}` }).waitFor();
    await shot("05-new-proposal");
    await page.getByRole("button", { name: "Create proposal" }).click();
    await page.waitForURL(/\/proposals\/\d+$/, { timeout: STEP_TIMEOUT });
    proposalUrl = page.url();
    await page.getByTestId("proposal-title").filter({ hasText: "Fund the documentation sprint" }).waitFor();
    assert.equal(await page.getByTestId("action-summary").first().textContent(), `Transfer 100 CORD from the treasury to ${RECIPIENT}`);
    assert.match((await page.getByTestId("ipfs-source").textContent())!, /Fetched from IPFS by CID Qm\w+ .*identical to the description on chain/);
    assert.equal(await page.locator("#raw-html").count(), 0, "raw HTML in the Markdown is not rendered");
    assert.equal(await page.locator(".markdown li").count(), 2);
    await shot("06-proposal-pending");
  });

  it("votes from three accounts, one of them gasless, and the tallies change", async () => {
    await stack.travel(TEST_GOVERNANCE_TIMING.votingDelay + 1);
    await page.goto(proposalUrl);
    assert.equal(await state(), "Active");

    await page.locator("#reason").fill("The docs are our front door.");
    await page.getByRole("button", { name: "Vote For" }).click();
    await confirmed();
    await page.reload();
    await page.getByTestId("already-voted").waitFor();
    assert.match((await page.getByTestId("tally-for").textContent())!, /1,000,000 CORD/);

    await wallet.useAccount(page, 1);
    await page.reload();
    await page.getByLabel("Against").check();
    await page.locator("#reason").fill("Two weeks is too long.");
    await page.getByRole("button", { name: "Vote Against" }).click();
    await confirmed();

    await wallet.useAccount(page, 2);
    await page.reload();
    const balanceBefore = await stack.client.getBalance({ address: stack.account(2).address });
    await page.locator("#reason").fill("Signed, not sent: the relay pays.");
    await page.getByRole("button", { name: /Vote without gas/ }).click();
    await confirmed();
    assert.equal(await stack.client.getBalance({ address: stack.account(2).address }), balanceBefore, "the gasless voter paid nothing");
    assert.ok(wallet.log.includes("eth_signTypedData_v4"));

    await page.reload();
    assert.match((await page.getByTestId("tally-for").textContent())!, /2,000,000 CORD/);
    assert.match((await page.getByTestId("tally-against").textContent())!, /1,000,000 CORD/);
    assert.match((await page.getByTestId("quorum").textContent())!, /reached/);
    assert.equal(await page.locator('[data-testid="timeline"] li[data-kind="vote"]').count(), 3);
    await shot("07-proposal-voted");
    await page.goto(`${stack.appUrl}/proposals`);
    await page.getByTestId("proposal-item").first().waitFor();
    await shot("08-proposal-list");
  });

  it("queues after the vote and executes after the timelock delay; the treasury transfer happened on chain", async () => {
    await stack.travel(TEST_GOVERNANCE_TIMING.votingPeriod + TEST_GOVERNANCE_TIMING.lateQuorumExtension + 5);
    await page.goto(proposalUrl);
    assert.equal(await state(), "Succeeded");
    await page.getByRole("button", { name: "Queue for execution" }).click();
    await confirmed();
    await page.reload();
    assert.equal(await state(), "Queued");
    assert.equal(await page.getByRole("button", { name: "Execute" }).count(), 0, "not executable before the delay");
    await shot("09-proposal-queued");

    await stack.travel(TEST_GOVERNANCE_TIMING.timelockMinDelay + 5);
    await page.reload();
    await page.getByRole("button", { name: "Execute" }).click();
    await confirmed();
    await page.reload();
    assert.equal(await state(), "Executed");
    const kinds = await page.locator('[data-testid="timeline"] li').evaluateAll((items) => items.map((item) => item.getAttribute("data-kind")));
    assert.deepEqual(kinds, ["created", "vote", "vote", "vote", "queued", "executed"]);
    await shot("10-proposal-executed");

    const received = await stack.client.readContract({ address: stack.addresses.token, abi: contractAbis.ConcordToken, functionName: "balanceOf", args: [RECIPIENT] });
    assert.equal(received, parseEther("100"));

    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await shot("11-proposal-phone");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `the page fits a phone's width (overflows by ${overflow}px)`);
    assert.deepEqual(consoleErrors, [], "no uncaught errors in the page");
  });

  it("offers Cancel only to whom it applies: the guardian may cancel an open proposal, another member may not", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const id = await stack.propose(1, [{ target: RECIPIENT, value: 0n, calldata: "0x" }], "A proposal to cancel");
    await stack.travel(TEST_GOVERNANCE_TIMING.votingDelay + 1);
    await wallet.useAccount(page, 2);
    await page.goto(`${stack.appUrl}/proposals/${id}`);
    assert.equal(await state(), "Active");
    await page.getByRole("button", { name: /^Vote For$/ }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Cancel proposal" }).count(), 0, "neither proposer nor guardian");
    const guardian = await stack.client.readContract({ address: stack.addresses.governor, abi: contractAbis.ConcordGovernor, functionName: "proposalGuardian" });
    assert.equal(guardian, stack.account(0).address, "the devnet's parameters name test account #0 the proposal guardian");
    await wallet.useAccount(page, 0);
    await page.getByRole("button", { name: "Cancel proposal" }).click();
    await confirmed();
    await page.reload();
    assert.equal(await state(), "Canceled");
    assert.equal(await page.getByRole("button", { name: "Cancel proposal" }).count(), 0);
  });

  it("offers the developer wallet on the devnet: connect, pick a test account, sign in", async () => {
    await page.goto(stack.appUrl);
    await page.getByRole("button", { name: "Disconnect" }).click();
    await page.locator("summary", { hasText: "Connect wallet" }).click();
    await page.getByRole("button", { name: /Developer wallet/ }).click();
    await page.getByLabel("Test account").selectOption({ index: 5 });
    await page.locator('[data-testid="connected-address"][title="0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"]').waitFor();
    await page.getByRole("button", { name: "Sign in with Ethereum" }).click();
    await page.getByTestId("signed-in-as").filter({ hasText: "0x9965…A4dc" }).waitFor();
    await shot("12-developer-wallet");
    assert.deepEqual(consoleErrors, [], "no uncaught errors in the page");
  });
});
