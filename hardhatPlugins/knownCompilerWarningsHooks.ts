/** See knownCompilerWarnings.ts. */
import type { SolidityHooks } from "hardhat/types/hooks";
import type { CompilerOutputError } from "hardhat/types/solidity";

const TRANSIENT_STORAGE_WARNING = "Transient storage as defined by EIP-1153";
/** The file as solc names it: Hardhat gives npm sources names like npm/@openzeppelin/contracts@5.4.0/... */
const OPENZEPPELIN_TRANSIENT_SLOT = /@openzeppelin\/contracts(@[^/]+)?\/utils\/TransientSlot\.sol$/;

/** solc's error objects carry the source location, which Hardhat's type leaves out. */
type LocatedError = CompilerOutputError & { sourceLocation?: { file?: string } };

export function isKnownWarning(error: LocatedError): boolean {
  return (
    error.severity === "warning" &&
    error.message.startsWith(TRANSIENT_STORAGE_WARNING) &&
    OPENZEPPELIN_TRANSIENT_SLOT.test(error.sourceLocation?.file ?? "")
  );
}

export default async (): Promise<Partial<SolidityHooks>> => ({
  async getCompiler(context, compilerConfig, next) {
    const compiler = await next(context, compilerConfig);
    return {
      version: compiler.version,
      longVersion: compiler.longVersion,
      compilerPath: compiler.compilerPath,
      isSolcJs: compiler.isSolcJs,
      async compile(input) {
        const output = await compiler.compile(input);
        if (output.errors === undefined) return output;
        return { ...output, errors: output.errors.filter((error) => !isKnownWarning(error)) };
      },
    };
  },
});
