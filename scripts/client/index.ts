// The Partner Portal API's typed client: openapi-fetch over the types
// openapi-typescript generates from openapi.yaml (./schema.d.ts). Every
// path, parameter, body and answer is typed from the contract.
//
//   import { createPortalClient } from "@partner-portal/client";
//   const api = createPortalClient("https://portal.example", apiKey);
//   const { data } = await api.GET("/v1/clients", {
//     params: { query: { org_number: "556012-5790" } },
//   });

import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths };
export type Schemas = components["schemas"];
export type PortalClient = Client<paths>;

// A client of the API at baseUrl that sends credential (an API key,
// ppk_live_..., or a login token) as its Bearer token, when given.
export function createPortalClient(baseUrl: string,
    credential?: string): PortalClient {
  const headers: Record<string, string> = {};
  if (credential !== undefined)
    headers["Authorization"] = `Bearer ${credential}`;
  return createClient<paths>({ baseUrl, headers });
}
