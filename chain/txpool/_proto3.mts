import { createConcordCommon } from "/work/main/chain/execution/common.ts";
import { createTx, createTxFromRLP } from "@ethereumjs/tx";
import { hexToBytes } from "@ethereumjs/util";
const common = await createConcordCommon();
const key = hexToBytes("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const tx = createTx({ type: 2, nonce: 0n, maxFeePerGas: 10n**9n, maxPriorityFeePerGas: 1n, gasLimit: 21000n, to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value: 1n }, { common }).sign(key);
const raw = tx.serialize();
const t = performance.now();
for (let i = 0; i < 10000; i++) { const x = createTxFromRLP(raw, { common }); x.getSenderAddress(); x.hash(); }
console.log((performance.now() - t) / 10000 * 1000);
