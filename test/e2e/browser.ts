/**
 * The browser the end-to-end tests drive: Debian's Chromium, headless, through playwright-core, with
 * the test wallet injected as an EIP-6963 provider, and the helpers every flow uses (screenshots to
 * test-output/e2e/, waiting for a transaction status the app shows).
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import type { PrivateKeyAccount } from "viem/accounts";
import { PROJECT_ROOT } from "../devnet/devnetProcess.ts";
import { TestWallet } from "./testWallet.ts";

const SCREENSHOTS = path.join(PROJECT_ROOT, "test-output", "e2e");
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/** Generous: the machine running the suite may be busy. */
export const STEP_TIMEOUT = 90_000;

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  wallet: TestWallet;
  /** Uncaught errors of the page so far. */
  pageErrors: string[];
  /** A full-page screenshot in test-output/e2e/<name>.png. */
  shot(name: string): Promise<void>;
  /** Waits for the transaction status to say confirmed; a failure shows the app's own words. */
  confirmed(scope?: Locator): Promise<void>;
  close(): Promise<void>;
}

export async function openTestBrowser(accounts: PrivateKeyAccount[], rpcUrl: string, chainId: number): Promise<TestBrowser> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const userDataDir = await mkdtemp(path.join(tmpdir(), "concord-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const wallet = new TestWallet(accounts, rpcUrl, chainId);
  await wallet.install(context);
  const page = context.pages()[0] ?? (await context.newPage());
  wallet.page = page;
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  return {
    context,
    page,
    wallet,
    pageErrors,
    shot: async (name) => {
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    async confirmed(scope = page.locator("body")) {
      const done = scope.locator('[data-phase="confirmed"], [data-phase="failed"]').first();
      const [phase, text] = await done.evaluate((element) => [element.getAttribute("data-phase"), element.textContent], undefined, { timeout: STEP_TIMEOUT });
      assert.equal(phase, "confirmed", `the app said: ${text}`);
    },
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
