/**
 * A Hardhat plugin that keeps one known, reviewed compiler warning off the console: solc's warning
 * about transient storage (EIP-1153) inside OpenZeppelin's own `TransientSlot` library. OpenZeppelin
 * uses transient storage there as intended (reentrancy guards cleared at the end of the call), the
 * project does not write transient storage itself, and the warning otherwise appeared on every
 * devnet start and in every CI log, teaching readers to ignore warnings. The README says so once.
 *
 * Only that message, only for that file: every other warning, in any file, is printed as before.
 */
import { definePlugin } from "hardhat/plugins";

export default definePlugin({
  id: "concord-known-compiler-warnings",
  hookHandlers: {
    solidity: () => import("./knownCompilerWarningsHooks.ts"),
  },
});
