/** The node's unlocked dev accounts: listing, sending and signing as Hardhat's node does. */
import { toUtf8Bytes } from "ethers";
import { isTypedDataPayload } from "../devSigner.ts";
import { InvalidParamsError } from "../errors.ts";
import { formatTransaction } from "../format/transaction.ts";
import { bytesToHex } from "../hex.ts";
import { defineMethod, type MethodTable } from "../method.ts";
import { fillTransaction } from "../transactionFill.ts";
import { address, data, ParamError, transactionRequest, type Validator } from "../validation.ts";
import type { Hex } from "../../types.ts";

const ZERO_ADDRESS: Hex = "0x0000000000000000000000000000000000000000";

/** personal_sign's message: hex bytes, or (as MetaMask accepts) a plain UTF-8 string. */
const message: Validator<Uint8Array> = (value) => {
  if (typeof value === "string" && !value.startsWith("0x")) {
    if (value.length > 1_000_000) throw new ParamError("message too long");
    return toUtf8Bytes(value);
  }
  return data(value);
};

/** eth_signTypedData_v4's payload: an object or its JSON text. */
const typedData: Validator<unknown> = (value) => {
  let payload = value;
  if (typeof value === "string") {
    if (value.length > 1_000_000) throw new ParamError("typed data too long");
    try {
      payload = JSON.parse(value);
    } catch {
      throw new ParamError("typed data is not valid JSON");
    }
  }
  if (!isTypedDataPayload(payload)) throw new ParamError("typed data needs types, primaryType, domain and message");
  return payload;
};

export const accountMethods: MethodTable = {
  eth_accounts: defineMethod([], ({ signer }) => signer.accounts),
  eth_requestAccounts: defineMethod([], ({ signer }) => signer.accounts),
  eth_coinbase: defineMethod([], ({ backend, signer }) => backend.coinbase?.toLowerCase() ?? signer.accounts[0] ?? ZERO_ADDRESS),
  eth_mining: defineMethod([], ({ backend }) => backend.coinbase !== undefined),
  eth_hashrate: defineMethod([], () => "0x0"),

  eth_sendTransaction: defineMethod([transactionRequest], async (context, [request]) => {
    // One at a time per sender until the pool took it: two concurrent sends would otherwise read the
    // same pending nonce. The wait for the block (automine) is not held under the lock.
    let sent: Promise<Hex> | undefined;
    await context.signer.exclusively(
      request.from,
      () =>
        new Promise<void>((admitted, failed) => {
          sent = (async () => {
            context.signer.requireAccount(request.from);
            const { from, tx } = await fillTransaction(context, context.signer, request);
            const signed = context.signer.signTransaction(from, tx);
            return context.backend.sendRawTransaction(signed.serialize(), () => {
              admitted();
              context.admitted?.();
            });
          })();
          sent.catch(failed);
        }),
    );
    return sent!;
  }),
  eth_signTransaction: defineMethod([transactionRequest], async (context, [request]) => {
    context.signer.requireAccount(request.from);
    const { from, tx } = await fillTransaction(context, context.signer, request);
    return bytesToHex(context.signer.signTransaction(from, tx).serialize());
  }),
  // geth's shape: the unsigned encoding and the filled transaction (viem fills with it in one call).
  eth_fillTransaction: defineMethod([transactionRequest], async (context, [request]) => {
    const { from, tx } = await fillTransaction(context, context.signer, request);
    return { raw: bytesToHex(tx.serialize()), tx: formatTransaction(tx, from) };
  }),

  eth_sign: defineMethod([address, data], ({ signer }, [account, bytes]) => signer.signMessage(account, bytes)),
  personal_sign: defineMethod([message, address], ({ signer }, [bytes, account]) => signer.signMessage(account, bytes)),
  eth_signTypedData_v4: defineMethod([address, typedData], ({ signer }, [account, payload]) => {
    if (!isTypedDataPayload(payload)) throw new InvalidParamsError(1, "typed data needs types, primaryType, domain and message");
    try {
      return signer.signTypedData(account, payload);
    } catch (error) {
      // ethers names what is wrong with the types or values; that is the client's mistake to fix.
      if (error instanceof ParamError) throw new InvalidParamsError(1, error.reason);
      if (error instanceof Error && (error as { code?: unknown }).code === "INVALID_ARGUMENT") {
        throw new InvalidParamsError(1, error.message);
      }
      throw error;
    }
  }),
};
