/**
 * A small contract compiled in the test with the npm `solc` compiler (the project's own version),
 * so the RPC tests do not depend on other folders' artifacts: events, a custom error, Error(string)
 * and a panic, which is what clients decode through the RPC layer.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const COUNTER_SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

contract Counter {
    error CounterTooLarge(uint256 requested, uint256 limit);
    event Incremented(address indexed by, uint256 newValue);

    uint256 public count;
    uint256 public immutable limit;

    constructor(uint256 limit_) {
        limit = limit_;
    }

    function increment(uint256 by) external {
        uint256 next = count + by;
        if (next > limit) revert CounterTooLarge(next, limit);
        count = next;
        emit Incremented(msg.sender, next);
    }

    function fail(string calldata reason) external pure {
        revert(reason);
    }

    function divide(uint256 a, uint256 b) external pure returns (uint256) {
        return a / b;
    }
}
`;

export interface CompiledContract {
  abi: unknown[];
  bytecode: `0x${string}`;
}

/**
 * Compiles one Solidity source with the npm `solc` (prague), resolving imports from node_modules
 * (`hardhat/console.sol`...); answers every contract of the file by name. Compile errors throw.
 */
export function compileSolidity(fileName: string, source: string): Record<string, CompiledContract> {
  const solc = require("solc") as { compile(input: string, callbacks: { import(path: string): { contents: string } | { error: string } }): string };
  const readImport = (path: string) => {
    try {
      return { contents: readFileSync(require.resolve(path), "utf8") };
    } catch {
      return { error: `not found: ${path}` };
    }
  };
  const output = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: "Solidity",
        sources: { [fileName]: { content: source } },
        settings: { evmVersion: "prague", outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
      }),
      { import: readImport },
    ),
  ) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((error) => error.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((error) => error.formattedMessage).join("\n"));
  return Object.fromEntries(
    Object.entries(output.contracts[fileName]!).map(([name, contract]) => [name, { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` as `0x${string}` }]),
  );
}

let compiled: CompiledContract | undefined;

export function compileCounter(): CompiledContract {
  compiled ??= compileSolidity("Counter.sol", COUNTER_SOURCE).Counter!;
  return compiled;
}
