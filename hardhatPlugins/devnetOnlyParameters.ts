/** A Hardhat plugin: `hardhat ignition deploy` refuses the devnet's parameters on a real chain (devnetParameters.ts says why). */
import { overrideTask } from "hardhat/config";
import { definePlugin } from "hardhat/plugins";

export default definePlugin({
  id: "concord-devnet-only-parameters",
  dependencies: () => [import("@nomicfoundation/hardhat-ignition")],
  tasks: [overrideTask(["ignition", "deploy"]).setAction(() => import("./devnetOnlyParametersAction.ts")).build()],
});
