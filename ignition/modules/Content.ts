import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

// Concord's content registry: items published by IPFS CID, with versions. Ownerless and without
// parameters (its limits are constants), so the same module deploys unchanged to any network.
export default buildModule("Content", (m) => {
  const contentRegistry = m.contract("ContentRegistry");
  return { contentRegistry };
});
