#!/usr/bin/env node
// The `concord` command (npx concord ...): runs devnet/cli.ts with tsx on the Node.js that npm put
// first on PATH (the project's Node 22).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../devnet/cli.ts", import.meta.url));
const child = spawn(process.execPath, ["--import", "tsx", cli, ...process.argv.slice(2)], { stdio: "inherit" });
// Ctrl-C reaches the child directly (same process group); forwarding it too would count as a second one.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)));
