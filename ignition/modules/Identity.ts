import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

// Concord's self-sovereign identity contracts: the ERC-1056 registry behind did:ethr DIDs, and the
// credential status registry that asks it who may act for an issuer. No parameters and no admin:
// both contracts are ownerless, so the same module deploys unchanged to any network.
export default buildModule("Identity", (m) => {
  const didRegistry = m.contract("EthereumDIDRegistry");
  const credentialRegistry = m.contract("CredentialRegistry", [didRegistry]);
  return { didRegistry, credentialRegistry };
});
