"use client";
import type { TxState } from "./useChainAction.ts";
import { SwitchNetworkButton } from "./NetworkBanner.tsx";

/** A transaction's progress, announced to screen readers as it changes. */
export function TxStatus({ state }: { state: TxState }) {
  if (state.phase === "idle") return <div aria-live="polite" className="tx-status-empty" />;
  return (
    <div className={`tx-status tx-${state.phase}`} aria-live="polite" role={state.phase === "failed" ? "alert" : "status"} data-phase={state.phase}>
      <strong>{state.label}: </strong>
      {state.phase === "working" && <span>{state.step}</span>}
      {state.phase === "pending" && (
        <span>
          pending, waiting to be included. Transaction <Hash hash={state.hash} />
        </span>
      )}
      {state.phase === "confirmed" && (
        <span>
          confirmed in block {state.blockNumber.toString()}. Transaction <Hash hash={state.hash} />
        </span>
      )}
      {state.phase === "failed" && (
        <span>
          {state.hash !== undefined ? "failed. " : ""}
          {state.message}
          {state.hash !== undefined && (
            <>
              {" "}Transaction <Hash hash={state.hash} />
            </>
          )}
          {state.kind === "wrong-network" && <SwitchNetworkButton />}
        </span>
      )}
    </div>
  );
}

function Hash({ hash }: { hash: string }) {
  return (
    <code className="hash" data-testid="tx-hash">
      {hash}
    </code>
  );
}
