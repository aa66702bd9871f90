/** See ephemeralIgnitionDeployments.ts. */
import type { NetworkHooks } from "hardhat/types/hooks";

let deployments = 0;

export default async (): Promise<Partial<NetworkHooks>> => ({
  async newConnection(context, next) {
    const connection = await next(context);
    const ignition = (connection as { ignition?: { deploy: (module: unknown, options?: { deploymentId?: string }) => Promise<unknown> } }).ignition;
    if (connection.networkName === "devnet" && ignition !== undefined) {
      const deploy = ignition.deploy.bind(ignition);
      ignition.deploy = (module, options = {}) =>
        deploy(module, { ...options, deploymentId: options.deploymentId ?? `devnet-suite-${process.pid}-${++deployments}` });
    }
    return connection;
  },
});
