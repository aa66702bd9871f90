"use client";
import { createContext, useContext } from "react";
import type { ClientConfig } from "../appLib/clientConfig.ts";

export const AppConfigContext = createContext<ClientConfig | undefined>(undefined);

export function useAppConfig(): ClientConfig {
  const config = useContext(AppConfigContext);
  if (config === undefined) throw new Error("useAppConfig outside <Providers>");
  return config;
}
