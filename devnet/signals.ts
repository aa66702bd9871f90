/**
 * Resolves on the first Ctrl-C or SIGTERM. After it, a further SIGTERM is ignored (a supervisor and
 * the terminal may both signal a validator that is already stopping cleanly), and a second Ctrl-C
 * exits at once, for someone who does not want to wait.
 */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      process.on("SIGTERM", () => {});
      process.once("SIGINT", () => process.exit(130));
      resolve();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
