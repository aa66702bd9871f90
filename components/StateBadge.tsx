/** A proposal's state as a labelled badge (text, not only colour). */
export function StateBadge({ state }: { state: string }) {
  return (
    <span className={`state state-${state.toLowerCase()}`} data-testid="proposal-state">
      {state}
    </span>
  );
}
