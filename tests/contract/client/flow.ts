// What a frontend team does on day one: a client generated from
// openapi.yaml (openapi-typescript, ./schema.d.ts) called through
// openapi-fetch, one whole flow of the Clients page against a live server.
//
//   BASE_URL   the API, e.g. http://127.0.0.1:8080
//   EMAIL      an admin's email address
//   PASSWORD   their password
//   CLIENT_ID  an active client of their firm with an active bookkeeper
//              assigned
//
// Log in; read who we are; read the client's details; list the `all` tab
// with a search and a sort; read the tabs; set a notification preference;
// preview and then notify the client's accountants with an
// Idempotency-Key (and replay it); read the reminder back; and read a
// client that does not exist, to see the typed problem document. Every
// answer is checked in code through its generated type. Run by
// ../typed-client, which type-checks this file with `tsc --noEmit`
// first; exits 1 on the first mismatch.

import { randomUUID } from "node:crypto";
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Schemas = components["schemas"];

// ------------------------------------------------------------------ checks

class FlowError extends Error {}

function check(cond: boolean, what: string): asserts cond {
  if (!cond) throw new FlowError(what);
}

// openapi-fetch answers { data } for a documented success and { error }
// for a documented error; this takes the data of the expected status.
type Answer<D, E> =
  | { data: D; error?: never; response: Response }
  | { data?: never; error: E; response: Response };

function expectStatus<D, E>(what: string, r: Answer<D, E>, status: number): D {
  if (r.response.status !== status || r.data === undefined) {
    throw new FlowError(
      `${what}: expected ${status}, got ${r.response.status}: ` +
        JSON.stringify(r.error ?? r.data),
    );
  }
  return r.data;
}

// notify-accountants answers 200 with a preview (a dry run) or 202 with
// the queued reminder: the generated type is either, told apart here.
type NotifyAnswer = Schemas["ReminderQueued"] | Schemas["ReminderPreview"];

function isQueued(d: NotifyAnswer): d is Schemas["ReminderQueued"] {
  return "id" in d && "status" in d;
}

function expectQueued(what: string, d: NotifyAnswer): Schemas["ReminderQueued"] {
  if (!isQueued(d)) throw new FlowError(`${what}: a preview, not a queued reminder`);
  return d;
}

function env(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === "") {
    throw new FlowError(`${name} is not set`);
  }
  return v;
}

function isTimestamp(s: string): boolean {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(s) && !Number.isNaN(Date.parse(s));
}

function step(n: number, text: string): void {
  console.log(`typed-client: ${n}. ${text}`);
}

// Compile-time checks: the generated types are as strict as the contract.
// Each line below must be a type error; tsc --noEmit fails if one is not
// (an unused @ts-expect-error is itself an error).
export function typeLevelChecks(): void {
  // @ts-expect-error: "hourly" is not a Frequency.
  const frequency: Schemas["Frequency"] = "hourly";
  // @ts-expect-error: a preference needs email (frequency may be left out).
  const partial: Schemas["NotificationPreferenceInput"] = { frequency: "weekly" };
  // @ts-expect-error: "paid" is not a ReminderTask.
  const tasks: Schemas["ReminderInput"] = { tasks: ["paid"] };
  // @ts-expect-error: "archived" is not a tab.
  const tab: NonNullable<paths["/v1/clients"]["get"]["parameters"]["query"]>["tab"] = "archived";
  void [frequency, partial, tasks, tab];
}

// ------------------------------------------------------------------ the flow

async function main(): Promise<void> {
  const baseUrl = env("BASE_URL").replace(/\/+$/, "");
  const email = env("EMAIL");
  const password = env("PASSWORD");
  const clientId = Number(env("CLIENT_ID"));
  check(Number.isSafeInteger(clientId) && clientId > 0, `CLIENT_ID ${clientId} is not an id`);

  // 1. Log in.
  const anonymous = createClient<paths>({ baseUrl });
  const login = await anonymous.POST("/v1/auth/token", { body: { email, password } });
  const token: Schemas["Token"] = expectStatus("POST /v1/auth/token", login, 200);
  check(token.token_type === "Bearer", `token_type ${token.token_type}`);
  check(token.access_token.split(".").length === 3, "access_token is not a JWT");
  check(Number.isInteger(token.expires_in) && token.expires_in > 0, `expires_in ${token.expires_in}`);
  step(1, `logged in as ${email}, token for ${token.expires_in}s`);

  const api = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${token.access_token}` },
  });

  // 2. Who we are: an admin, and the firm's language for the sort.
  const me: Schemas["Me"] = expectStatus("GET /v1/me", await api.GET("/v1/me"), 200);
  check(me.role === "admin", `role ${me.role}, not admin`);
  check(me.email === email.toLowerCase(), `email ${me.email}`);
  check(me.active, "the admin is not active");
  const locale: Schemas["Partner"]["locale"] = me.partner.locale;
  step(2, `user ${me.id} (${me.role}) of ${me.partner.name}, locale ${locale}`);

  // 3. The client's details ("See details").
  const details: Schemas["ClientDetail"] = expectStatus(
    "GET /v1/clients/{id}",
    await api.GET("/v1/clients/{id}", { params: { path: { id: clientId } } }),
    200,
  );
  check(details.id === clientId, `details of ${details.id}`);
  check(details.status === "active", `client status ${details.status}`);
  check(/^[A-Z]{3}$/.test(details.balance.currency), `currency ${details.balance.currency}`);
  check(isTimestamp(details.created_at) && isTimestamp(details.updated_at), "times are not RFC 3339 UTC");
  const bookkeepers = details.assignees;
  check(bookkeepers.length > 0, "the client has no assignee");
  step(3, `client ${details.id} "${details.name}", ${details.missing_receipts} missing receipts`);

  // 4. The `all` tab, searched and sorted, twice: the start of the
  //    client's name in lower case (case folding beyond ASCII: `ö` finds
  //    `Ö`), then its last word, which other clients may share; each page
  //    holds the client, only matching active clients, in the firm's
  //    order of names, descending.
  const words = details.name.split(/\s+/);
  const queries = [
    [...details.name].slice(0, 4).join("").toLocaleLowerCase(locale),
    (words[words.length - 1] ?? details.name).toLocaleLowerCase(locale),
  ];
  const collator = new Intl.Collator(locale, { sensitivity: "variant" });
  const folded = (s: string): string => s.toLocaleLowerCase(locale);
  for (const q of queries) {
    const list = await api.GET("/v1/clients", {
      params: { query: { tab: "all", q, sort: "-name", limit: 50 } },
    });
    // The route also answers CSV (format=csv, Accept: text/csv): the
    // contract's type is either, and without either the answer is JSON.
    const body = expectStatus(`GET /v1/clients?tab=all&q=${q}`, list, 200);
    check(typeof body !== "string", "GET /v1/clients answered CSV without being asked");
    const page: Schemas["ClientPage"] = body;
    check(page.total >= page.data.length, `total ${page.total} < ${page.data.length} rows`);
    check(page.next_cursor === null || typeof page.next_cursor === "string", "next_cursor");
    const row: Schemas["ClientSummary"] | undefined = page.data.find((c) => c.id === clientId);
    check(row !== undefined, `q=${q} did not find client ${clientId}`);
    check(row.name === details.name && row.org_number === details.org_number, "the row is not the client");
    check(row.missing_receipts === details.missing_receipts && row.export_ready === details.export_ready,
      "the row's counts differ from the details");
    // What the row menu offers, and the balance as the firm writes it.
    check(row.actions !== undefined && row.actions.includes("go_to_client") &&
      row.actions.includes("notify_accountants") && row.actions.includes("see_details"),
      `the row offers ${JSON.stringify(row.actions)}`);
    check(typeof row.balance_display === "string" && row.balance_display.length > 0,
      `balance_display ${row.balance_display}`);
    check(JSON.stringify(row.notification) === JSON.stringify(details.notification),
      "the row's notification differs from the details'");
    check(row.assignees.every((a) => a.role === "bookkeeper" || a.role === "admin"), "an assignee without its role");
    check(isTimestamp(row.invited_at), `invited_at ${row.invited_at}`);
    for (const [i, c] of page.data.entries()) {
      check(c.status === "active", `row ${c.id} in tab all is ${c.status}`);
      check(folded(c.name).includes(folded(q)) || folded(c.org_number).includes(folded(q)),
        `row ${c.id} "${c.name}" does not contain ${q}`);
      const next = page.data[i + 1];
      if (next !== undefined) {
        check(collator.compare(c.name, next.name) >= 0, `"${c.name}" before "${next.name}" in -name`);
      }
    }
    step(4, `tab=all q=${q} sort=-name: ${page.data.map((c) => c.name).join(" | ")} (total ${page.total})`);
  }

  // 5. The tabs.
  const tabs: Schemas["ClientTabs"] = expectStatus("GET /v1/clients/tabs", await api.GET("/v1/clients/tabs"), 200);
  const counts = new Map<Schemas["TabName"], number>(tabs.tabs.map((t) => [t.tab, t.count]));
  check(counts.has("mine") && counts.has("all"), `tabs ${[...counts.keys()].join(",")}`);
  check((counts.get("all") ?? 0) >= 1, "the all tab is empty");
  step(5, `tabs ${tabs.tabs.map((t) => `${t.tab}=${t.count}`).join(" ")}`);

  // 5b. What needs attention: the clients with an alert first, and the
  //     client's thresholds and months.
  const urgent = expectStatus("GET /v1/clients?sort=attention&attention=true", await api.GET("/v1/clients", {
    params: { query: { tab: "all", sort: "attention", attention: "true", limit: 20 } },
  }), 200);
  check(typeof urgent !== "string", "GET /v1/clients answered CSV without being asked");
  const alerted: Schemas["ClientPage"] = urgent;
  for (const c of alerted.data) {
    check(c.alerts.length > 0, `row ${c.id} has no alert under attention=true`);
  }
  const limits: Schemas["ClientThresholds"] = expectStatus("GET /v1/clients/{id}/thresholds",
    await api.GET("/v1/clients/{id}/thresholds", { params: { path: { id: clientId } } }), 200);
  check(limits.client_id === clientId, JSON.stringify(limits));
  const overview: Schemas["ClientOverview"] = expectStatus("GET /v1/clients/{id}/overview",
    await api.GET("/v1/clients/{id}/overview", { params: { path: { id: clientId }, query: { months: 2 } } }), 200);
  check(overview.months.length === 2, `${overview.months.length} months`);
  step(5, `attention: ${alerted.data.map((c) => `${c.name} [${c.alerts.join(", ")}]`).join(" | ") || "none"}; ` +
    `this month ${overview.months[0]?.month}: ${overview.months[0]?.missing_receipts} missing receipts`);

  // 6. A notification preference: weekly digests, from a Monday.
  const prefBody: Schemas["NotificationPreferenceInput"] = { email: true, frequency: "weekly" };
  const pref: Schemas["NotificationPreference"] = expectStatus(
    "PUT /v1/clients/{id}/notification-preference",
    await api.PUT("/v1/clients/{id}/notification-preference", {
      params: { path: { id: clientId } },
      body: prefBody,
    }),
    200,
  );
  check(pref.client_id === clientId && pref.email && pref.frequency === "weekly", JSON.stringify(pref));
  check(pref.next_delivery_at !== null && isTimestamp(pref.next_delivery_at), `next ${pref.next_delivery_at}`);
  check(new Date(pref.next_delivery_at).getUTCDay() === 1, `next delivery ${pref.next_delivery_at} is not a Monday`);
  check(pref.updated_at !== null && isTimestamp(pref.updated_at), `updated_at ${pref.updated_at}`);
  step(6, `weekly digest from ${pref.next_delivery_at}`);
  // The list row now says the same setting, and still offers the reminder.
  const after = expectStatus("GET /v1/clients (after the setting)", await api.GET("/v1/clients", {
    params: { query: { tab: "all", q: details.name, limit: 5 } },
  }), 200);
  check(typeof after !== "string", "GET /v1/clients answered CSV without being asked");
  const listed: Schemas["ClientPage"] = after;
  const mine = listed.data.find((c) => c.id === clientId);
  check(mine !== undefined, `client ${clientId} is not listed`);
  check(JSON.stringify(mine.notification) === JSON.stringify(pref), `the row's setting ${JSON.stringify(mine.notification)}`);
  check(mine.actions?.includes("notify_accountants") === true, "the row does not offer notify_accountants");
  step(6, `the row says ${mine.notification?.frequency} and offers ${mine.actions?.join(", ")}; balance ${mine.balance_display}`);

  // 7. Notify accountants, with an Idempotency-Key; the retry of the same
  //    click answers the same reminder and sends nothing more.
  const key = randomUUID();
  const reminderBody: Schemas["ReminderInput"] = {
    tasks: ["missing_receipts", "export_ready"],
    comment: "Hej! Kvitton saknas, se till att exporten är klar före fredag.\nTack",
  };
  const notify = () =>
    api.POST("/v1/clients/{id}/notify-accountants", {
      params: { path: { id: clientId }, header: { "Idempotency-Key": key } },
      body: reminderBody,
    });
  // A dry run first: who would get it, and nothing sent.
  const dry = await api.POST("/v1/clients/{id}/notify-accountants", {
    params: { path: { id: clientId }, query: { dry_run: true } },
    body: reminderBody,
  });
  const preview = expectStatus("POST notify-accountants?dry_run=true", dry, 200);
  check(!isQueued(preview), "a dry run queued a reminder");
  const first = await notify();
  const queued = expectQueued("POST notify-accountants",
    expectStatus("POST notify-accountants", first, 202));
  check(queued.status === "queued", `status ${queued.status}`);
  check(queued.recipients.length >= 1, "no recipients");
  check(first.response.headers.get("Location") === `/v1/reminders/${queued.id}`,
    `Location ${first.response.headers.get("Location")}`);
  check(first.response.headers.get("Idempotent-Replayed") === null, "the first answer is a replay");
  const assigned = new Set(bookkeepers.map((a) => a.id));
  for (const r of queued.recipients) {
    check(assigned.has(r.user_id), `recipient ${r.user_id} is not assigned`);
  }
  const previewed = preview.recipients.filter((r) => r.will_receive).map((r) => r.user_id).sort();
  check(JSON.stringify(previewed) === JSON.stringify(queued.recipients.map((r) => r.user_id).sort()),
    `the dry run named ${previewed}, the reminder went to others`);
  const again = await notify();
  const replay = expectQueued("POST notify-accountants (replay)",
    expectStatus("POST notify-accountants (replay)", again, 202));
  check(replay.id === queued.id, `the replay made reminder ${replay.id}, not ${queued.id}`);
  check(again.response.headers.get("Idempotent-Replayed") === "true", "the replay is not marked");
  step(7, `reminder ${queued.id} to ${queued.recipients.map((r) => r.email).join(", ")}; replay answered the same`);

  // 8. The reminder, read back.
  const reminder: Schemas["Reminder"] = expectStatus(
    "GET /v1/reminders/{id}",
    await api.GET("/v1/reminders/{id}", { params: { path: { id: queued.id } } }),
    200,
  );
  check(reminder.client_id === clientId && reminder.sender.id === me.id, "reminder of another client or sender");
  check(reminder.comment === reminderBody.comment, "the comment changed");
  check(reminder.tasks.join() === reminderBody.tasks.join(), `tasks ${reminder.tasks.join()}`);
  check(reminder.recipients.length === queued.recipients.length, "recipients differ");
  for (const r of reminder.recipients) {
    const state: Schemas["DeliveryStatus"] = r.status;
    check(["queued", "sent", "failed"].includes(state), `delivery ${state}`);
  }
  step(8, `reminder ${reminder.id}: ${reminder.recipients.map((r) => r.status).join(", ")}`);

  // 9. A client that does not exist: a typed problem document.
  const missing = await api.GET("/v1/clients/{id}", { params: { path: { id: 2147483647 } } });
  check(missing.response.status === 404 && missing.error !== undefined, `status ${missing.response.status}`);
  const problem: Schemas["Problem"] = missing.error;
  check(problem.type === "/problems/not-found" && problem.status === 404, JSON.stringify(problem));
  check(missing.response.headers.get("Content-Type")?.startsWith("application/problem+json") === true,
    `Content-Type ${missing.response.headers.get("Content-Type")}`);
  step(9, `unknown client: ${problem.status} ${problem.type}`);
}

main().then(
  () => console.log("typed-client: flow passed"),
  (e: unknown) => {
    console.error(`typed-client: FAILED: ${e instanceof Error ? e.message : String(e)}`);
    if (!(e instanceof FlowError) && e instanceof Error && e.stack) console.error(e.stack);
    process.exitCode = 1;
  },
);
