/**
 * One malformed call per dev method that takes parameters, with the exact -32602 it answers. The
 * parameter checks run before the dev-mode check, so a node without dev mode answers the same
 * (chain/rpc's paramErrors test can spread this table into its own).
 */
const ADDRESS = "0x00000000000000000000000000000000000000aa";

export const MALFORMED_DEV_PARAMS: [method: string, params: unknown[], message: string][] = [
  ["evm_revert", ["1"], "invalid argument 0: hex string without 0x prefix"],
  ["anvil_revert", [true], "invalid argument 0: expected a hex string, got a boolean"],
  ["evm_increaseTime", [-5], "invalid argument 0: expected a non-negative integer number of seconds, got -5"],
  ["anvil_increaseTime", ["0x"], 'invalid argument 0: hex string "0x" is not a quantity'],
  ["evm_setNextBlockTimestamp", [1.5], "invalid argument 0: expected a non-negative integer number of seconds, got 1.5"],
  ["anvil_setNextBlockTimestamp", [{}], "invalid argument 0: expected a hex string, got an object"],
  ["evm_mine", [{ timestamp: "soon" }], "invalid argument 0: timestamp: hex string without 0x prefix"],
  ["hardhat_mine", ["0x1", "0x0"], "invalid argument 1: interval must be at least 1 second (block timestamps strictly increase)"],
  ["anvil_mine", ["0x186a1"], "invalid argument 0: block count 100001 is above the limit of 100000 blocks per call"],
  ["evm_setAutomine", ["true"], "invalid argument 0: expected a boolean, got a string"],
  ["hardhat_reset", [{ forking: {} }], "invalid argument 0: forking is not supported: a Concord devnet is its own chain (reset without options to go back to its genesis)"],
  ["anvil_reset", ["fresh"], "invalid argument 0: expected an object, got a string"],
  ["anvil_loadState", ["{}"], "invalid argument 0: hex string without 0x prefix"],
  ["evm_setIntervalMining", [[0, 10]], "invalid argument 0: the range must have 0 < min <= max, got [0, 10]"],
  ["anvil_setIntervalMining", [-2], "invalid argument 0: expected a non-negative integer number of seconds, got -2"],
  ["anvil_setAutomine", [1], "invalid argument 0: expected a boolean, got a number"],
  ["hardhat_setBalance", [ADDRESS, "100"], "invalid argument 1: hex string without 0x prefix"],
  ["anvil_setBalance", ["0x1234", "0x1"], "invalid argument 0: hex string has length 4, want 40 for an address"],
  ["hardhat_setCode", [ADDRESS, "0x123"], "invalid argument 1: hex string has odd length"],
  ["anvil_setCode", [ADDRESS, 12], "invalid argument 1: expected a hex string, got a number"],
  ["hardhat_setNonce", [ADDRESS, `0x1${"0".repeat(16)}`], "invalid argument 1: hex number > 64 bits"],
  ["anvil_setNonce", [null, "0x1"], "missing value for required argument 0"],
  ["hardhat_setStorageAt", [ADDRESS, "0x0", "0x01"], "invalid argument 2: storage value must be exactly 32 bytes long, got 1"],
  ["anvil_setStorageAt", [ADDRESS, "zero", `0x${"00".repeat(32)}`], "invalid argument 1: hex string without 0x prefix"],
  ["hardhat_setCoinbase", ["coinbase"], "invalid argument 0: hex string without 0x prefix"],
  ["anvil_setCoinbase", [`0x${"1".repeat(42)}`], "invalid argument 0: hex string too long (44 characters)"],
  ["hardhat_setNextBlockBaseFeePerGas", [`0x1${"0".repeat(64)}`], "invalid argument 0: hex number > 256 bits"],
  ["anvil_setNextBlockBaseFeePerGas", [7], "invalid argument 0: expected a hex string, got a number"],
  ["hardhat_setPrevRandao", ["0x01"], "invalid argument 0: hex string has length 2, want 64 for a 32-byte hash"],
  ["evm_setBlockGasLimit", ["0x0"], "invalid argument 0: block gas limit must be greater than 0"],
  ["hardhat_dropTransaction", ["0x1234"], "invalid argument 0: hex string has length 4, want 64 for a 32-byte hash"],
  ["anvil_dropTransaction", [42], "invalid argument 0: expected a hex string, got a number"],
  ["hardhat_impersonateAccount", ["0xzz"], "invalid argument 0: invalid hex string"],
  ["anvil_impersonateAccount", [[]], "invalid argument 0: expected a hex string, got an array"],
  ["hardhat_stopImpersonatingAccount", [ADDRESS, ADDRESS], "too many arguments, want at most 1"],
  ["anvil_stopImpersonatingAccount", [], "missing value for required argument 0"],
];
