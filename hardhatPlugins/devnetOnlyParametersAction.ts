/** See devnetOnlyParameters.ts. */
import type { TaskOverrideActionFunction } from "hardhat/types/tasks";
import { checkDevnetParameters, isDevnetParametersFile } from "./devnetParameters.ts";

const action: TaskOverrideActionFunction = async (args, hre, runSuper) => {
  const parameters = typeof args.parameters === "string" ? args.parameters : undefined;
  if (isDevnetParametersFile(parameters)) {
    const connection = await hre.network.create();
    try {
      const chainId = BigInt((await connection.provider.request({ method: "eth_chainId" })) as string);
      let answersDevMethods = false;
      try {
        await connection.provider.request({ method: "hardhat_metadata" });
        answersDevMethods = true;
      } catch {
        // Not a development node.
      }
      checkDevnetParameters(parameters, chainId, answersDevMethods);
    } finally {
      await connection.close();
    }
  }
  return runSuper(args);
};

export default action;
