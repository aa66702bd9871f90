import { NextResponse } from "next/server";
import { BaseError, getAddress, isAddress, isHex, type Address, type Hex } from "viem";
import { ApiError, assertSameOrigin, errorResponse, jsonBody } from "../../../appLib/apiErrors.ts";
import { chainState, isDevnet } from "../../../appLib/chain.ts";
import { devAccount, devAccounts } from "../../../appLib/devAccounts.ts";
import { withSender } from "../../../appLib/serverWallet.ts";
import { typedDataFromJson } from "../../../appLib/typedDataJson.ts";

/**
 * The developer wallet's signer: signs with the devnet's public test accounts for a page that has no
 * browser wallet. It answers only on a devnet; anywhere else every request is refused.
 */
export async function POST(request: Request) {
  try {
    assertSameOrigin(request);
    const { chain } = await chainState();
    if (!(await isDevnet())) {
      throw new ApiError(403, "NOT_A_DEVNET", `the developer wallet exists only on a devnet, and this app runs on chain ${chain.id}: use your own wallet`);
    }
    const body = await jsonBody(request, 256 * 1024);
    const params = Array.isArray(body.params) ? (body.params as unknown[]) : [];
    switch (body.method) {
      case "eth_accounts":
        return NextResponse.json({ result: devAccounts().map((account) => account.address) });
      case "personal_sign": {
        const [data, address] = params as [unknown, unknown];
        if (typeof data !== "string" || !isHex(data)) throw new ApiError(400, "INVALID_PARAMS", "personal_sign takes 0x-hex data");
        const signature = await testAccount(address).signMessage({ message: { raw: data as Hex } });
        return NextResponse.json({ result: signature });
      }
      case "eth_signTypedData_v4": {
        const [address, typedData] = params as [unknown, unknown];
        const account = testAccount(address);
        let definition;
        try {
          definition = typedDataFromJson(typedData);
        } catch (error) {
          throw new ApiError(400, "INVALID_PARAMS", `the typed data is not valid EIP-712: ${(error as Error).message}`);
        }
        return NextResponse.json({ result: await account.signTypedData(definition) });
      }
      case "eth_sendTransaction": {
        const [tx] = params as [Record<string, unknown> | undefined];
        if (tx === undefined || typeof tx !== "object") throw new ApiError(400, "INVALID_PARAMS", "eth_sendTransaction takes a transaction object");
        const account = testAccount(tx.from);
        const hash = await withSender(account, (client) =>
          client.sendTransaction({
            account,
            chain,
            to: typeof tx.to === "string" ? getAddress(tx.to) : undefined,
            data: typeof tx.data === "string" ? (tx.data as Hex) : typeof tx.input === "string" ? (tx.input as Hex) : undefined,
            value: typeof tx.value === "string" ? BigInt(tx.value) : undefined,
            gas: typeof tx.gas === "string" ? BigInt(tx.gas) : undefined,
          }),
        );
        return NextResponse.json({ result: hash });
      }
      default:
        throw new ApiError(400, "UNSUPPORTED_METHOD", `the developer wallet does not sign with ${String(body.method)}`);
    }
  } catch (error) {
    if (error instanceof BaseError) {
      // A wallet answers a failed send with a JSON-RPC error carrying the revert data, which the
      // page decodes with the contracts' ABIs.
      const data = (error.walk((inner) => typeof (inner as { data?: unknown }).data === "string") as { data?: string } | null)?.data;
      return NextResponse.json({ error: { code: "TRANSACTION_FAILED", message: error.shortMessage, data } }, { status: 400 });
    }
    return errorResponse(error);
  }
}

function testAccount(address: unknown) {
  if (typeof address !== "string" || !isAddress(address, { strict: false })) throw new ApiError(400, "INVALID_PARAMS", "name the test account to sign with");
  const account = devAccount(address as Address);
  if (account === undefined) throw new ApiError(403, "NOT_A_TEST_ACCOUNT", `${address} is not one of the devnet's test accounts: the developer wallet signs only with those`);
  return account;
}
