// The README's integration script: an admin makes a key for the sync job,
// which finds a client by organisation number, pushes a batch of expenses
// and reads what changed. BASE_URL, ADMIN_TOKEN (a login token of an
// admin), INTEGRATION_USER_ID and ORG_NUMBER come from the environment.
import { createPortalClient } from "@partner-portal/client";

const env = process.env;
const admin = createPortalClient(env.BASE_URL, env.ADMIN_TOKEN);
const { data: made } = await admin.POST("/v1/api-keys", { body: {
  name: "Expense sync", user_id: Number(env.INTEGRATION_USER_ID),
  scopes: ["clients:read", "expenses:write", "events:read"] } });
const api = createPortalClient(env.BASE_URL, made.key);
const { data: found } = await api.GET("/v1/clients",
  { params: { query: { org_number: env.ORG_NUMBER } } });
const client = found.data[0];
const { data: batch } = await api.POST("/v1/clients/{id}/expenses", {
  params: { path: { id: client.id } },
  body: { expenses: [{ external_id: "card-tx-1", amount_minor: 24900,
    currency: "SEK", spent_at: "2026-03-02T09:15:00Z", merchant: "Clas Ohlson",
    receipt_status: "missing", export_status: "pending" }] } });
const { data: events } = await api.GET("/v1/events");
console.log(JSON.stringify({ client: client.id, created: batch.created,
  events: events.data.map((e) => e.type) }));
