-- Partner Portal database schema: the one source of it.
--
-- Each "-- version N" section is applied once, in order, by
-- `portal-api migrate` (and at start-up), inside one transaction that also
-- sets PRAGMA user_version = N. Sections are never edited once released:
-- a change is a new section, so an existing database migrates in place.
-- Times are Unix seconds (UTC); money is integer minor units.

-- version 1
CREATE TABLE partners (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	locale		TEXT NOT NULL DEFAULT 'en'
			    CHECK (locale IN ('sv', 'da', 'nb', 'en')),
	timezone	TEXT NOT NULL DEFAULT 'Europe/Copenhagen',
	created_at	INTEGER NOT NULL
);

CREATE TABLE users (
	id		INTEGER PRIMARY KEY,
	partner_id	INTEGER NOT NULL REFERENCES partners (id),
	-- Stored lower-cased: one login per address, whatever its case.
	email		TEXT NOT NULL,
	name		TEXT NOT NULL,
	role		TEXT NOT NULL
			    CHECK (role IN ('admin', 'bookkeeper', 'integration')),
	password_hash	TEXT NOT NULL,
	active		INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_partner ON users (partner_id, id);

-- Failed logins per address, to slow down password guessing. Kept in the
-- database rather than in memory so that several API processes share it.
CREATE TABLE login_failures (
	email		TEXT PRIMARY KEY,
	failures	INTEGER NOT NULL,
	first_at	INTEGER NOT NULL,
	locked_until	INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- version 2
-- Clients of a firm, with the per-client figures the list shows kept
-- current by the triggers below, so that no list request counts expenses.
CREATE TABLE clients (
	id		INTEGER PRIMARY KEY,
	partner_id	INTEGER NOT NULL REFERENCES partners (id),
	name		TEXT NOT NULL,
	org_number	TEXT NOT NULL,
	contact_email	TEXT,
	status		TEXT NOT NULL CHECK (status IN ('invitation',
			    'onboarding', 'active', 'declined', 'rejected',
			    'disconnected')),
	-- ICU collation key of the name in the firm's locale: an index
	-- orders by it with a plain byte comparison.
	sort_key	BLOB NOT NULL,
	-- Case-folded name and organisation number, for substring search.
	search_text	TEXT NOT NULL,
	balance_minor	INTEGER NOT NULL DEFAULT 0,
	currency	TEXT NOT NULL DEFAULT 'SEK',
	missing_receipts INTEGER NOT NULL DEFAULT 0,
	export_ready	INTEGER NOT NULL DEFAULT 0,
	-- [{"id":…,"name":…}] of the active assignees, by name; kept by the
	-- triggers on assignments and users.
	assignees_json	TEXT NOT NULL DEFAULT '[]',
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);
CREATE INDEX clients_by_name
	ON clients (partner_id, status, sort_key, id);
CREATE INDEX clients_by_missing
	ON clients (partner_id, status, missing_receipts, sort_key, id);
CREATE INDEX clients_by_missing_desc
	ON clients (partner_id, status, missing_receipts DESC, sort_key, id);

-- An assignee's list is read from here: status, sort key and missing
-- receipts are copies of the client's, kept by clients_assignments_sync,
-- so that "My clients" pages by index like the firm's list does.
CREATE TABLE assignments (
	client_id	INTEGER NOT NULL REFERENCES clients (id),
	user_id		INTEGER NOT NULL REFERENCES users (id),
	created_at	INTEGER NOT NULL,
	status		TEXT NOT NULL,
	sort_key	BLOB NOT NULL,
	missing_receipts INTEGER NOT NULL,
	PRIMARY KEY (user_id, client_id)
) WITHOUT ROWID;
CREATE INDEX assignments_by_client ON assignments (client_id, user_id);
CREATE INDEX assignments_by_name
	ON assignments (user_id, status, sort_key, client_id);
CREATE INDEX assignments_by_missing
	ON assignments (user_id, status, missing_receipts, sort_key, client_id);
CREATE INDEX assignments_by_missing_desc
	ON assignments (user_id, status, missing_receipts DESC, sort_key,
	client_id);

-- Clients per firm (user_id 0) and per assignee, status, and how many of
-- them miss receipts: the tab counts and list totals, read in one lookup.
CREATE TABLE client_counts (
	partner_id	INTEGER NOT NULL,
	user_id		INTEGER NOT NULL,
	status		TEXT NOT NULL,
	clients		INTEGER NOT NULL DEFAULT 0,
	with_missing	INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (partner_id, user_id, status)
) WITHOUT ROWID;

CREATE TABLE expenses (
	id		INTEGER PRIMARY KEY,
	client_id	INTEGER NOT NULL REFERENCES clients (id),
	external_id	TEXT NOT NULL,
	amount_minor	INTEGER NOT NULL,
	currency	TEXT NOT NULL,
	spent_at	INTEGER NOT NULL,
	merchant	TEXT NOT NULL,
	receipt_status	TEXT NOT NULL CHECK (receipt_status IN ('missing',
			    'attached', 'not_required')),
	export_status	TEXT NOT NULL CHECK (export_status IN ('pending',
			    'ready', 'exported')),
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);
CREATE UNIQUE INDEX expenses_by_external ON expenses (client_id, external_id);
CREATE INDEX expenses_by_client ON expenses (client_id, id);
CREATE INDEX expenses_by_receipt ON expenses (client_id, receipt_status, id);
CREATE INDEX expenses_by_export ON expenses (client_id, export_status, id);

CREATE TABLE audit_events (
	id		INTEGER PRIMARY KEY,
	partner_id	INTEGER NOT NULL REFERENCES partners (id),
	user_id		INTEGER NOT NULL REFERENCES users (id),
	client_id	INTEGER REFERENCES clients (id),
	action		TEXT NOT NULL,
	remote_addr	TEXT NOT NULL,
	created_at	INTEGER NOT NULL
);
CREATE INDEX audit_by_client ON audit_events (partner_id, client_id, id);

-- Substring search: trigrams of the folded text, for queries of three
-- characters or more.
CREATE VIRTUAL TABLE clients_fts USING fts5 (
	search_text, content = 'clients', content_rowid = 'id',
	tokenize = 'trigram'
);

CREATE TRIGGER clients_fts_insert AFTER INSERT ON clients BEGIN
	INSERT INTO clients_fts (rowid, search_text)
	    VALUES (new.id, new.search_text);
END;
CREATE TRIGGER clients_fts_update AFTER UPDATE OF search_text ON clients
BEGIN
	INSERT INTO clients_fts (clients_fts, rowid, search_text)
	    VALUES ('delete', old.id, old.search_text);
	INSERT INTO clients_fts (rowid, search_text)
	    VALUES (new.id, new.search_text);
END;

-- The counters of a client's firm and of each of its assignees follow its
-- status and whether it misses receipts.
CREATE TRIGGER clients_count_insert AFTER INSERT ON clients BEGIN
	INSERT INTO client_counts (partner_id, user_id, status, clients,
	    with_missing)
	    VALUES (new.partner_id, 0, new.status, 1,
	    new.missing_receipts > 0)
	    ON CONFLICT DO UPDATE SET clients = clients + 1,
	    with_missing = with_missing + excluded.with_missing;
END;
CREATE TRIGGER clients_count_update AFTER UPDATE OF status, missing_receipts
ON clients WHEN old.status <> new.status OR
    (old.missing_receipts > 0) <> (new.missing_receipts > 0)
BEGIN
	UPDATE client_counts SET clients = clients - 1,
	    with_missing = with_missing - (old.missing_receipts > 0)
	    WHERE partner_id = old.partner_id AND status = old.status AND
	    (user_id = 0 OR user_id IN
	    (SELECT user_id FROM assignments WHERE client_id = old.id));
	INSERT INTO client_counts (partner_id, user_id, status, clients,
	    with_missing)
	    SELECT new.partner_id, 0, new.status, 1, new.missing_receipts > 0
	    UNION ALL
	    SELECT new.partner_id, user_id, new.status, 1,
	    new.missing_receipts > 0 FROM assignments
	    WHERE client_id = new.id
	    ON CONFLICT DO UPDATE SET clients = clients + 1,
	    with_missing = with_missing + excluded.with_missing;
END;

CREATE TRIGGER clients_assignments_sync AFTER UPDATE OF status, sort_key,
    missing_receipts ON clients WHEN old.status <> new.status OR
    old.sort_key <> new.sort_key OR
    old.missing_receipts <> new.missing_receipts
BEGIN
	UPDATE assignments SET status = new.status, sort_key = new.sort_key,
	    missing_receipts = new.missing_receipts
	    WHERE client_id = new.id;
END;

CREATE TRIGGER assignments_insert AFTER INSERT ON assignments BEGIN
	INSERT INTO client_counts (partner_id, user_id, status, clients,
	    with_missing)
	    SELECT partner_id, new.user_id, status, 1, missing_receipts > 0
	    FROM clients WHERE id = new.client_id
	    ON CONFLICT DO UPDATE SET clients = clients + 1,
	    with_missing = with_missing + excluded.with_missing;
	UPDATE clients SET assignees_json = (SELECT
	    json_group_array(json_object('id', id, 'name', name)) FROM
	    (SELECT u.id, u.name FROM assignments a JOIN users u
	    ON u.id = a.user_id WHERE a.client_id = new.client_id AND
	    u.active = 1 ORDER BY u.name, u.id))
	    WHERE id = new.client_id;
END;
CREATE TRIGGER assignments_delete AFTER DELETE ON assignments BEGIN
	UPDATE client_counts SET clients = clients - 1,
	    with_missing = with_missing - (SELECT missing_receipts > 0
	    FROM clients WHERE id = old.client_id)
	    WHERE user_id = old.user_id AND (partner_id, status) =
	    (SELECT partner_id, status FROM clients WHERE id = old.client_id);
	UPDATE clients SET assignees_json = (SELECT
	    json_group_array(json_object('id', id, 'name', name)) FROM
	    (SELECT u.id, u.name FROM assignments a JOIN users u
	    ON u.id = a.user_id WHERE a.client_id = old.client_id AND
	    u.active = 1 ORDER BY u.name, u.id))
	    WHERE id = old.client_id;
END;
-- A renamed or (de)activated user changes the assignee lists they are on.
CREATE TRIGGER users_assignees_update AFTER UPDATE OF name, active ON users
BEGIN
	UPDATE clients SET assignees_json = (SELECT
	    json_group_array(json_object('id', id, 'name', name)) FROM
	    (SELECT u.id, u.name FROM assignments a JOIN users u
	    ON u.id = a.user_id WHERE a.client_id = clients.id AND
	    u.active = 1 ORDER BY u.name, u.id))
	    WHERE id IN (SELECT client_id FROM assignments
	    WHERE user_id = new.id);
END;

-- Per-client counts of missing receipts and export-ready expenses change
-- in the same statement as the expense.
CREATE TRIGGER expenses_insert AFTER INSERT ON expenses BEGIN
	UPDATE clients SET
	    missing_receipts = missing_receipts +
	    (new.receipt_status = 'missing'),
	    export_ready = export_ready + (new.export_status = 'ready')
	    WHERE id = new.client_id AND (new.receipt_status = 'missing' OR
	    new.export_status = 'ready');
END;
CREATE TRIGGER expenses_update AFTER UPDATE OF receipt_status, export_status
ON expenses WHEN old.receipt_status <> new.receipt_status OR
    old.export_status <> new.export_status
BEGIN
	UPDATE clients SET
	    missing_receipts = missing_receipts -
	    (old.receipt_status = 'missing') +
	    (new.receipt_status = 'missing'),
	    export_ready = export_ready - (old.export_status = 'ready') +
	    (new.export_status = 'ready')
	    WHERE id = new.client_id;
END;
CREATE TRIGGER expenses_delete AFTER DELETE ON expenses BEGIN
	UPDATE clients SET
	    missing_receipts = missing_receipts -
	    (old.receipt_status = 'missing'),
	    export_ready = export_ready - (old.export_status = 'ready')
	    WHERE id = old.client_id;
END;

-- version 3
-- Email digests: what each user subscribed to, per client.
CREATE TABLE notification_preferences (
	user_id		INTEGER NOT NULL REFERENCES users (id),
	client_id	INTEGER NOT NULL REFERENCES clients (id),
	email		INTEGER NOT NULL CHECK (email IN (0, 1)),
	frequency	TEXT NOT NULL
			    CHECK (frequency IN ('daily', 'weekly', 'monthly')),
	-- The first Monday 10:00 (firm's zone) after the setting was made:
	-- no digest slot before it includes this client.
	starts_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	PRIMARY KEY (user_id, client_id)
) WITHOUT ROWID;
CREATE INDEX preferences_by_frequency
	ON notification_preferences (frequency, user_id) WHERE email = 1;

-- Every email, written in the same transaction as what caused it and
-- delivered by the worker. 'sending' marks a claimed row: one left so by
-- a crash is sent again, which at worst repeats that one message.
CREATE TABLE outbox (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL CHECK (kind IN ('digest', 'reminder')),
	user_id		INTEGER NOT NULL REFERENCES users (id),
	recipient	TEXT NOT NULL,
	-- What to say, as JSON; the worker renders it into MIME.
	payload		TEXT NOT NULL,
	message_id	TEXT NOT NULL UNIQUE,
	status		TEXT NOT NULL DEFAULT 'queued'
			    CHECK (status IN ('queued', 'sending', 'sent',
			    'failed')),
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_attempt_at	INTEGER NOT NULL,
	last_error	TEXT,
	created_at	INTEGER NOT NULL,
	sent_at		INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id)
	WHERE status IN ('queued', 'sending');

-- One digest per user, frequency and period, whatever runs twice.
CREATE TABLE digests (
	id		INTEGER PRIMARY KEY,
	user_id		INTEGER NOT NULL REFERENCES users (id),
	frequency	TEXT NOT NULL,
	period		TEXT NOT NULL,
	slot_at		INTEGER NOT NULL,
	status		TEXT NOT NULL CHECK (status IN ('queued', 'skipped')),
	clients		INTEGER NOT NULL,
	outbox_id	INTEGER REFERENCES outbox (id),
	created_at	INTEGER NOT NULL,
	UNIQUE (user_id, frequency, period)
);

-- Idempotency-Key of POSTs: the first answer, replayed for a repeat of the
-- same request by the same user within 24 hours. status is NULL while the
-- first request is still being handled.
CREATE TABLE idempotency_keys (
	user_id		INTEGER NOT NULL REFERENCES users (id),
	key		TEXT NOT NULL,
	request_hash	TEXT NOT NULL,
	status		INTEGER,
	content_type	TEXT,
	location	TEXT,
	body		BLOB,
	created_at	INTEGER NOT NULL,
	PRIMARY KEY (user_id, key)
) WITHOUT ROWID;

-- "Notify accountants": an admin's reminder about one client, and the
-- email each assigned bookkeeper gets for it.
CREATE TABLE reminders (
	id		INTEGER PRIMARY KEY,
	partner_id	INTEGER NOT NULL REFERENCES partners (id),
	client_id	INTEGER NOT NULL REFERENCES clients (id),
	sender_id	INTEGER NOT NULL REFERENCES users (id),
	tasks		TEXT NOT NULL,		-- JSON array of task names
	comment		TEXT NOT NULL DEFAULT '',
	created_at	INTEGER NOT NULL
);
CREATE INDEX reminders_by_client ON reminders (client_id, created_at);
CREATE INDEX reminders_by_sender ON reminders (sender_id, created_at);

CREATE TABLE reminder_recipients (
	reminder_id	INTEGER NOT NULL REFERENCES reminders (id),
	user_id		INTEGER NOT NULL REFERENCES users (id),
	outbox_id	INTEGER NOT NULL REFERENCES outbox (id),
	PRIMARY KEY (reminder_id, user_id)
) WITHOUT ROWID;

-- version 4
-- A client's row in the list, as JSON, kept by SQLite itself from the
-- columns it shows. The list's indexes carry it, so a page is read from
-- one index walk: no table lookup and no JSON building per row.
ALTER TABLE clients ADD COLUMN list_json TEXT GENERATED ALWAYS AS
	(json_object('id', id, 'name', name, 'org_number', org_number,
	'status', status, 'balance', json_object('amount_minor',
	balance_minor, 'currency', currency), 'missing_receipts',
	missing_receipts, 'export_ready', export_ready, 'assignees',
	json(assignees_json))) VIRTUAL;
DROP INDEX clients_by_name;
DROP INDEX clients_by_missing;
DROP INDEX clients_by_missing_desc;
CREATE INDEX clients_list_by_name
	ON clients (partner_id, status, sort_key, id, missing_receipts,
	list_json);
CREATE INDEX clients_list_by_missing
	ON clients (partner_id, status, missing_receipts, sort_key, id,
	list_json);
CREATE INDEX clients_list_by_missing_desc
	ON clients (partner_id, status, missing_receipts DESC, sort_key, id,
	list_json);

-- version 5
-- The list's rows once more, by client id, for the reads that take rows
-- one at a time (a bookkeeper's list, a search's page): a lookup here
-- compares integers, where a seek in the list indexes, whose entries carry
-- the JSON, compares long keys on each of four levels.
CREATE TABLE client_rows (
	id		INTEGER PRIMARY KEY,
	partner_id	INTEGER NOT NULL,
	json		TEXT NOT NULL
);
INSERT INTO client_rows (id, partner_id, json)
	SELECT id, partner_id, list_json FROM clients;
CREATE TRIGGER client_rows_insert AFTER INSERT ON clients BEGIN
	INSERT INTO client_rows (id, partner_id, json)
	    VALUES (new.id, new.partner_id, new.list_json);
END;
CREATE TRIGGER client_rows_update AFTER UPDATE OF name, org_number,
    status, balance_minor, currency, missing_receipts, export_ready,
    assignees_json ON clients
BEGIN
	UPDATE client_rows SET json = new.list_json WHERE id = new.id;
END;
-- version 6
-- A search's matches in the list's order, straight from the trigram index.
-- Each client has a list rank that orders like (sort_key, id) within its
-- firm and status, and the index is keyed by that rank, so a search walks
-- one rowid range of it in list order: no lookup per match to filter by
-- firm and status or to place a match. A rank is
--   partner id << 40 | status code << 36 | half << 35 | position,
-- all of a group's ranks in one half. A client goes half-way between its
-- neighbours (a fixed step past either end); when two neighbours touch,
-- the group is spread evenly over the middle of its other half, so no new
-- rank meets an old one.
CREATE TABLE client_statuses (
	status		TEXT PRIMARY KEY,
	code		INTEGER NOT NULL UNIQUE
) WITHOUT ROWID;
INSERT INTO client_statuses (status, code) VALUES ('invitation', 1),
	('onboarding', 2), ('active', 3), ('declined', 4), ('rejected', 5),
	('disconnected', 6);

ALTER TABLE clients ADD COLUMN list_rank INTEGER;
UPDATE clients SET list_rank = r.rank FROM (SELECT c.id,
	(c.partner_id << 40) + (s.code << 36) + 8589934592 +
	row_number() OVER g * (17179869184 / (count(*) OVER g + 1)) AS rank
	FROM clients c JOIN client_statuses s ON s.status = c.status
	WINDOW g AS (PARTITION BY c.partner_id, c.status
	ORDER BY c.sort_key, c.id ROWS BETWEEN UNBOUNDED PRECEDING AND
	UNBOUNDED FOLLOWING)) r
	WHERE clients.id = r.id;
-- Covers a match's id, count and key: one seek places it.
CREATE INDEX clients_by_rank
	ON clients (list_rank, missing_receipts, sort_key);

DROP TRIGGER clients_fts_insert;
DROP TRIGGER clients_fts_update;
DROP TABLE clients_fts;
-- Contentless: the triggers hand it the text, deletes included.
CREATE VIRTUAL TABLE clients_fts USING fts5 (
	search_text, content = '', columnsize = 0, tokenize = 'trigram'
);
INSERT INTO clients_fts (rowid, search_text)
	SELECT list_rank, search_text FROM clients;
INSERT INTO clients_fts (clients_fts) VALUES ('optimize');

-- A rank that moves takes the client's text with it.
CREATE TRIGGER clients_rank_move AFTER UPDATE OF list_rank ON clients
WHEN old.list_rank IS NOT new.list_rank
BEGIN
	INSERT INTO clients_fts (clients_fts, rowid, search_text)
	    SELECT 'delete', old.list_rank, old.search_text
	    WHERE old.list_rank IS NOT NULL;
	INSERT INTO clients_fts (rowid, search_text)
	    SELECT new.list_rank, new.search_text
	    WHERE new.list_rank IS NOT NULL;
END;

-- A new client, or one renamed or moved to another status, takes its
-- place. The text is swapped under the current rank first, so that the
-- move above deletes what the index holds.
CREATE TRIGGER clients_rank_place AFTER UPDATE OF sort_key, status,
    search_text ON clients
WHEN new.list_rank IS NULL OR old.sort_key <> new.sort_key OR
    old.status <> new.status OR old.search_text <> new.search_text
BEGIN
	INSERT INTO clients_fts (clients_fts, rowid, search_text)
	    SELECT 'delete', old.list_rank, old.search_text
	    WHERE old.list_rank IS NOT NULL AND
	    old.search_text <> new.search_text;
	INSERT INTO clients_fts (rowid, search_text)
	    SELECT new.list_rank, new.search_text
	    WHERE new.list_rank IS NOT NULL AND
	    old.search_text <> new.search_text;
	-- Where it stays, or goes; NULL when its neighbours touch.
	UPDATE clients SET list_rank = (SELECT CASE
	    WHEN cur IS NOT NULL AND (p IS NULL OR p < cur) AND
		(n IS NULL OR cur < n) AND
		cur >> 35 = coalesce(p, n, g + (cur & 34359738368)) >> 35
		THEN cur
	    WHEN p IS NULL AND n IS NULL THEN g + 17179869184
	    WHEN n IS NULL THEN CASE WHEN (((p >> 35) + 1) << 35) - p >= 2
		THEN p + min(1048576, ((((p >> 35) + 1) << 35) - p) / 2) END
	    WHEN p IS NULL THEN CASE WHEN n - ((n >> 35) << 35) >= 2
		THEN n - min(1048576, (n - ((n >> 35) << 35)) / 2) END
	    WHEN n - p >= 2 THEN p + (n - p) / 2
	    END FROM (SELECT new.list_rank AS cur,
	    (new.partner_id << 40) + ((SELECT code FROM client_statuses
	    WHERE status = new.status) << 36) AS g,
	    (SELECT list_rank FROM clients WHERE partner_id = new.partner_id
	    AND status = new.status AND (sort_key, id) <
	    (new.sort_key, new.id) ORDER BY sort_key DESC, id DESC
	    LIMIT 1) AS p,
	    (SELECT list_rank FROM clients WHERE partner_id = new.partner_id
	    AND status = new.status AND (sort_key, id) >
	    (new.sort_key, new.id) ORDER BY sort_key, id LIMIT 1) AS n))
	    WHERE id = new.id;
	UPDATE clients SET list_rank = r.rank FROM (SELECT c.id,
	    o.start + 8589934592 + row_number() OVER g *
	    (17179869184 / (count(*) OVER g + 1)) AS rank
	    FROM clients c, (SELECT (new.partner_id << 40) +
	    ((SELECT code FROM client_statuses WHERE status = new.status)
	    << 36) + (1 - ((list_rank >> 35) & 1)) * 34359738368 AS start
	    FROM clients WHERE partner_id = new.partner_id AND
	    status = new.status AND list_rank IS NOT NULL LIMIT 1) o
	    WHERE c.partner_id = new.partner_id AND c.status = new.status AND
	    (SELECT list_rank FROM clients WHERE id = new.id) IS NULL
	    WINDOW g AS (ORDER BY c.sort_key, c.id ROWS BETWEEN UNBOUNDED
	    PRECEDING AND UNBOUNDED FOLLOWING)) r
	    WHERE clients.id = r.id;
END;
CREATE TRIGGER clients_rank_insert AFTER INSERT ON clients BEGIN
	-- Unranked: the trigger above places it.
	UPDATE clients SET sort_key = sort_key WHERE id = new.id;
END;
CREATE TRIGGER clients_rank_delete AFTER DELETE ON clients
WHEN old.list_rank IS NOT NULL
BEGIN
	INSERT INTO clients_fts (clients_fts, rowid, search_text)
	    VALUES ('delete', old.list_rank, old.search_text);
END;

-- version 7
-- Hardening: login attempts, idempotent answers, outbox leases and
-- cancellations, unsubscribe generations.

-- Login attempts.
-- Password checks claimed per address, before the password is hashed, so
-- that parallel guesses cannot outrun the count; a successful login gives
-- its claim back. source is the client's IP address; the row with source
-- '*' counts the address's checks from every source: the ceiling that a
-- guesser spread over many machines meets. A window of checks ends at
-- window_end, and the worker deletes the rows whose window has ended.
DROP TABLE login_failures;
CREATE TABLE login_attempts (
	email		TEXT NOT NULL,
	source		TEXT NOT NULL,
	attempts	INTEGER NOT NULL,
	window_end	INTEGER NOT NULL,
	PRIMARY KEY (email, source)
) WITHOUT ROWID;
CREATE INDEX login_attempts_by_end ON login_attempts (window_end);
-- The worker deletes idempotency keys past their 24 hours a batch at a
-- time: finding a batch must not scan the live ones.
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- Idempotency keys.
-- An answer is recorded in the transaction of the write it answers, so no
-- row is left "in progress" any more. Answers over 64 KiB keep the
-- SHA-256 of their body (RFC 9530 Repr-Digest form) instead of the body.
ALTER TABLE idempotency_keys ADD COLUMN body_digest TEXT;

-- Outbox leases and cancelled mail.
-- 'cancelled': at its claim the worker found that the recipient may no
-- longer read the message (inactive, or no longer assigned to the client
-- it is about); it is never sent, and cancel_reason says why. SQLite
-- cannot widen a CHECK in place, so the table is made again: its rows
-- wait in a copy meanwhile, and the foreign keys of digests and
-- reminder_recipients are deferred until the rows are back (dropping the
-- table counts their rows as orphans, putting the rows back uncounts
-- them, and the commit checks that none is left).
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE outbox_before_v7 AS SELECT * FROM main.outbox;
DROP TABLE main.outbox;
CREATE TABLE outbox (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL CHECK (kind IN ('digest', 'reminder')),
	user_id		INTEGER NOT NULL REFERENCES users (id),
	recipient	TEXT NOT NULL,
	-- What to say, as JSON; the worker renders it into MIME.
	payload		TEXT NOT NULL,
	message_id	TEXT NOT NULL UNIQUE,
	status		TEXT NOT NULL DEFAULT 'queued'
			    CHECK (status IN ('queued', 'sending', 'sent',
			    'failed', 'cancelled')),
	attempts	INTEGER NOT NULL DEFAULT 0,
	-- When queued, when it is due; when sending, when the claimer's
	-- lease ends (the claimer pushes it on while it sends).
	next_attempt_at	INTEGER NOT NULL,
	last_error	TEXT,
	created_at	INTEGER NOT NULL,
	sent_at		INTEGER,
	cancel_reason	TEXT CHECK (cancel_reason IN ('recipient_inactive',
			    'recipient_unassigned')),
	CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL))
);
INSERT INTO main.outbox (id, kind, user_id, recipient, payload, message_id,
	status, attempts, next_attempt_at, last_error, created_at, sent_at)
	SELECT id, kind, user_id, recipient, payload, message_id, status,
	attempts, next_attempt_at, last_error, created_at, sent_at
	FROM temp.outbox_before_v7 ORDER BY id;
DROP TABLE temp.outbox_before_v7;
CREATE INDEX outbox_due ON outbox (next_attempt_at, id)
	WHERE status IN ('queued', 'sending');
-- The claim finds a reminder's client from its outbox row.
CREATE INDEX reminder_recipients_by_outbox ON reminder_recipients (outbox_id);
-- defer_foreign_keys stays on until the migration commits: turning it off
-- would forget the orphans counted so far instead of checking them.

-- Unsubscribe generations.
-- Each subscription and each one-click unsubscribe gives a preference the
-- user's next generation (one more than the highest of their rows). An
-- unsubscribe link carries the generation of the settings it covers when
-- it was sent, and stops working once any of them has a later one: it
-- works once, and never turns off a subscription made after it.
ALTER TABLE notification_preferences
	ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;

-- Addresses and names.
-- version 8
-- List ranks, second form: a crowded gap spreads its neighbours only, and
-- the numbers of the rank layout have names. Written as a migration from
-- the first release of section 6; a database built while that section
-- still held these changes (it was edited in place then) ends the same,
-- which tests/unit/test_schema.c checks.

-- The rank layout, named once: the triggers below read it here. C never
-- computes a rank; the searches in common/store_client_list.c write the
-- two shifts of a group's range as numbers (reading the view would add a
-- step to each of their plans), and tests/unit/test_client_plans.c checks
-- them against this view. A rank is
--   partner id << partner_shift | status code << status_shift |
--   half << half_shift | position
--   partner_shift	bits under the firm: 2^(63 - 40), 8 million firms
--   status_shift	bits under the status: codes below 2^(40 - 36)
--   half_shift		bits under the half: each group has two halves
--   half		room of one half (1 << half_shift)
--   spread_start	where a whole-group spread starts in its half
--   spread_room	the room it takes, the middle of the half; a lone
--			client sits at its centre
--   end_step		how far past the first or last client a new
--			end goes
--   neighbours		clients either side a local spread moves
--   min_room		least room per client a local spread leaves
-- tests/unit/test_schema.c checks that these fit together.
CREATE VIEW list_rank_layout AS SELECT
	40 AS partner_shift,
	36 AS status_shift,
	35 AS half_shift,
	1 << 35 AS half,
	(1 << 35) / 4 AS spread_start,
	(1 << 35) / 2 AS spread_room,
	1 << 20 AS end_step,
	32 AS neighbours,
	256 AS min_room;

-- clients_by_rank (version 6) covers a match's id, count and key: one
-- seek places it. Its NULL entries are now the clients between two steps
-- of a local spread.

-- A bookkeeper's list by name reads the count from its index too, not
-- from the table, which is one more seek a row.
DROP INDEX assignments_by_name;
CREATE INDEX assignments_by_name
	ON assignments (user_id, status, sort_key, client_id,
	missing_receipts);

-- The bounds of a local spread, from its first step to its last. IF NOT
-- EXISTS: the edited version 6 made it already.
CREATE TABLE IF NOT EXISTS client_rank_spread (
	lo		INTEGER NOT NULL,
	hi		INTEGER NOT NULL
);

-- Search in the list's order: a rank orders like (sort_key, id) within
-- its firm and status (see version 6). A client goes half-way between its
-- neighbours (a fixed step past either end). When two neighbours touch,
-- the clients on either side are spread evenly over the room between
-- the next ones out; when that room is short too, the whole group is
-- spread over the middle of its other half, so no new rank meets an old.
-- A new client, or one renamed or moved to another status, takes its
-- place. The text is swapped under the current rank first, so that the
-- moves below delete what the index holds.
DROP TRIGGER clients_rank_place;
CREATE TRIGGER clients_rank_place AFTER UPDATE OF sort_key, status,
    search_text ON clients
WHEN new.list_rank IS NULL OR old.sort_key <> new.sort_key OR
    old.status <> new.status OR old.search_text <> new.search_text
BEGIN
	INSERT INTO clients_fts (clients_fts, rowid, search_text)
	    SELECT 'delete', old.list_rank, old.search_text
	    WHERE old.list_rank IS NOT NULL AND
	    old.search_text <> new.search_text;
	INSERT INTO clients_fts (rowid, search_text)
	    SELECT new.list_rank, new.search_text
	    WHERE new.list_rank IS NOT NULL AND
	    old.search_text <> new.search_text;
	-- Where it stays, or goes; NULL when its neighbours touch. g is the
	-- group's first rank.
	UPDATE clients SET list_rank = (SELECT CASE
	    WHEN cur IS NOT NULL AND (p IS NULL OR p < cur) AND
		(n IS NULL OR cur < n) AND cur >> half_shift =
		coalesce(p, n, g + (cur & half)) >> half_shift
		THEN cur
	    WHEN p IS NULL AND n IS NULL
		THEN g + spread_start + spread_room / 2
	    WHEN n IS NULL THEN CASE
		WHEN (((p >> half_shift) + 1) << half_shift) - p >= 2
		THEN p + min(end_step,
		((((p >> half_shift) + 1) << half_shift) - p) / 2) END
	    WHEN p IS NULL THEN CASE
		WHEN n - ((n >> half_shift) << half_shift) >= 2
		THEN n - min(end_step,
		(n - ((n >> half_shift) << half_shift)) / 2) END
	    WHEN n - p >= 2 THEN p + (n - p) / 2
	    END FROM (SELECT *, (new.partner_id << partner_shift) +
	    (code << status_shift) AS g FROM list_rank_layout,
	    (SELECT new.list_rank AS cur,
	    (SELECT code FROM client_statuses WHERE status = new.status)
	    AS code,
	    (SELECT list_rank FROM clients WHERE partner_id = new.partner_id
	    AND status = new.status AND (sort_key, id) <
	    (new.sort_key, new.id) ORDER BY sort_key DESC, id DESC
	    LIMIT 1) AS p,
	    (SELECT list_rank FROM clients WHERE partner_id = new.partner_id
	    AND status = new.status AND (sort_key, id) >
	    (new.sort_key, new.id) ORDER BY sort_key, id LIMIT 1) AS n)))
	    WHERE id = new.id;
	-- Local spread: the bounds are the ranks of the clients just past
	-- the neighbours either side (the half's edge where there are
	-- fewer), and each client between them must get min_room or more.
	INSERT INTO client_rank_spread (lo, hi)
	    SELECT lo, hi FROM (SELECT coalesce(b, h) AS lo,
	    coalesce(a, h + half) AS hi, k, min_room FROM (SELECT b, a,
	    (coalesce(b, a) >> half_shift) << half_shift AS h, half,
	    min_room,
	    (SELECT count(*) FROM (SELECT 1 FROM clients
	    WHERE partner_id = new.partner_id AND status = new.status AND
	    (sort_key, id) < (new.sort_key, new.id)
	    LIMIT (SELECT neighbours FROM list_rank_layout))) +
	    (SELECT count(*) FROM (SELECT 1 FROM clients
	    WHERE partner_id = new.partner_id AND status = new.status AND
	    (sort_key, id) > (new.sort_key, new.id)
	    LIMIT (SELECT neighbours FROM list_rank_layout))) + 1 AS k
	    FROM list_rank_layout, (SELECT (SELECT list_rank FROM clients
	    WHERE partner_id = new.partner_id AND status = new.status AND
	    (sort_key, id) < (new.sort_key, new.id)
	    ORDER BY sort_key DESC, id DESC
	    LIMIT 1 OFFSET (SELECT neighbours FROM list_rank_layout)) AS b,
	    (SELECT list_rank FROM clients
	    WHERE partner_id = new.partner_id AND status = new.status AND
	    (sort_key, id) > (new.sort_key, new.id) ORDER BY sort_key, id
	    LIMIT 1 OFFSET (SELECT neighbours FROM list_rank_layout)) AS a)))
	    WHERE lo IS NOT NULL AND (hi - lo) / (k + 1) >= min_room AND
	    (SELECT list_rank FROM clients WHERE id = new.id) IS NULL;
	-- Out of the index first, so that no rank is held twice in it: the
	-- clients ranked between the bounds, which are the neighbours.
	UPDATE clients SET list_rank = NULL
	    WHERE list_rank > (SELECT lo FROM client_rank_spread) AND
	    list_rank < (SELECT hi FROM client_rank_spread);
	UPDATE clients SET list_rank = r.rank FROM (SELECT c.id,
	    s.lo + row_number() OVER g * ((s.hi - s.lo) /
	    (count(*) OVER g + 1)) AS rank
	    FROM clients c, client_rank_spread s
	    WHERE c.list_rank IS NULL AND c.partner_id = new.partner_id AND
	    c.status = new.status
	    WINDOW g AS (ORDER BY c.sort_key, c.id ROWS BETWEEN UNBOUNDED
	    PRECEDING AND UNBOUNDED FOLLOWING)) r
	    WHERE clients.id = r.id;
	DELETE FROM client_rank_spread;
	-- Whole group: still unranked, so the room near it is short.
	UPDATE clients SET list_rank = r.rank FROM (SELECT c.id,
	    o.start + l.spread_start + row_number() OVER g *
	    (l.spread_room / (count(*) OVER g + 1)) AS rank
	    FROM clients c, list_rank_layout l,
	    (SELECT (new.partner_id << partner_shift) +
	    ((SELECT code FROM client_statuses WHERE status = new.status)
	    << status_shift) +
	    (1 - ((list_rank >> half_shift) & 1)) * half AS start
	    FROM clients, list_rank_layout WHERE partner_id = new.partner_id
	    AND status = new.status AND list_rank IS NOT NULL LIMIT 1) o
	    WHERE c.partner_id = new.partner_id AND c.status = new.status AND
	    (SELECT list_rank FROM clients WHERE id = new.id) IS NULL
	    WINDOW g AS (ORDER BY c.sort_key, c.id ROWS BETWEEN UNBOUNDED
	    PRECEDING AND UNBOUNDED FOLLOWING)) r
	    WHERE clients.id = r.id;
END;

-- A client's assignees as the list shows them: [{"id":…,"name":…}] of
-- its active assignees, by name. The one place that builds
-- clients.assignees_json; the triggers below copy it from here.
CREATE VIEW client_assignees (client_id, json) AS
	SELECT c.id, (SELECT
	    json_group_array(json_object('id', id, 'name', name)) FROM
	    (SELECT u.id, u.name FROM assignments a JOIN users u
	    ON u.id = a.user_id WHERE a.client_id = c.id AND
	    u.active = 1 ORDER BY u.name, u.id))
	FROM clients c;

DROP TRIGGER assignments_insert;
CREATE TRIGGER assignments_insert AFTER INSERT ON assignments BEGIN
	INSERT INTO client_counts (partner_id, user_id, status, clients,
	    with_missing)
	    SELECT partner_id, new.user_id, status, 1, missing_receipts > 0
	    FROM clients WHERE id = new.client_id
	    ON CONFLICT DO UPDATE SET clients = clients + 1,
	    with_missing = with_missing + excluded.with_missing;
	UPDATE clients SET assignees_json = (SELECT json
	    FROM client_assignees WHERE client_id = new.client_id)
	    WHERE id = new.client_id;
END;
DROP TRIGGER assignments_delete;
CREATE TRIGGER assignments_delete AFTER DELETE ON assignments BEGIN
	UPDATE client_counts SET clients = clients - 1,
	    with_missing = with_missing - (SELECT missing_receipts > 0
	    FROM clients WHERE id = old.client_id)
	    WHERE user_id = old.user_id AND (partner_id, status) =
	    (SELECT partner_id, status FROM clients WHERE id = old.client_id);
	UPDATE clients SET assignees_json = (SELECT json
	    FROM client_assignees WHERE client_id = old.client_id)
	    WHERE id = old.client_id;
END;
-- A renamed or (de)activated user changes the assignee lists they are on.
DROP TRIGGER users_assignees_update;
CREATE TRIGGER users_assignees_update AFTER UPDATE OF name, active ON users
BEGIN
	UPDATE clients SET assignees_json = (SELECT v.json
	    FROM client_assignees v WHERE v.client_id = clients.id)
	    WHERE id IN (SELECT client_id FROM assignments
	    WHERE user_id = new.id);
END;
-- version 9
-- Searches of one or two characters through an index too. The trigram
-- index has nothing to look up for them, so they read every client of
-- the firm's status, and the commonest ("a", "ab") match thousands; a
-- search box asks exactly those first. clients_grams holds each client's
-- grams under its list rank, as clients_fts holds its text: every
-- distinct run of one or two characters of search_text, written in hex
-- (common/sqlite/grams.h), which the store writes with search_text. A
-- gram is one token: detail=none keeps no positions.
ALTER TABLE clients ADD COLUMN search_grams TEXT NOT NULL DEFAULT '';

-- The grams of the clients already here, as grams.c writes them: sorted
-- by their bytes, without those that hold a control character (the line
-- between name and organisation number).
UPDATE clients SET search_grams = g.grams FROM (
	WITH RECURSIVE pos (id, t, i) AS (
		SELECT id, search_text, 1 FROM clients
		WHERE search_text <> ''
		UNION ALL
		SELECT id, t, i + 1 FROM pos WHERE i < length(t)
	), grams (id, gram) AS (
		SELECT id, substr(t, i, 1) FROM pos
		UNION
		SELECT id, substr(t, i, 2) FROM pos WHERE i < length(t)
	)
	SELECT id, group_concat(gram, ' ') AS grams FROM (
		SELECT id, lower(hex(gram)) AS gram FROM grams
		WHERE unicode(gram) >= 32 AND unicode(gram) <> 127 AND
		    (length(gram) = 1 OR (unicode(substr(gram, 2)) >= 32 AND
		    unicode(substr(gram, 2)) <> 127))
		ORDER BY id, gram)
	GROUP BY id) g
WHERE g.id = clients.id;

CREATE VIRTUAL TABLE clients_grams USING fts5 (
	search_grams, content = '', columnsize = 0, detail = none,
	tokenize = 'ascii'
);
INSERT INTO clients_grams (rowid, search_grams)
	SELECT list_rank, search_grams FROM clients
	WHERE list_rank IS NOT NULL;
INSERT INTO clients_grams (clients_grams) VALUES ('optimize');

-- The grams follow the client's rank as its text does (version 8), kept
-- by triggers of their own. New grams go in under the rank the client
-- has before the update is written, so that when clients_rank_place
-- then moves the client, the move finds under the old rank what the
-- index holds. A move deletes and inserts new.search_grams: the grams
-- the index holds under the old rank by then.
CREATE TRIGGER clients_grams_text BEFORE UPDATE OF search_grams ON clients
WHEN old.list_rank IS NOT NULL AND old.search_grams <> new.search_grams
BEGIN
	INSERT INTO clients_grams (clients_grams, rowid, search_grams)
	    VALUES ('delete', old.list_rank, old.search_grams);
	INSERT INTO clients_grams (rowid, search_grams)
	    VALUES (old.list_rank, new.search_grams);
END;

CREATE TRIGGER clients_grams_move AFTER UPDATE OF list_rank ON clients
WHEN old.list_rank IS NOT new.list_rank
BEGIN
	INSERT INTO clients_grams (clients_grams, rowid, search_grams)
	    SELECT 'delete', old.list_rank, new.search_grams
	    WHERE old.list_rank IS NOT NULL;
	INSERT INTO clients_grams (rowid, search_grams)
	    SELECT new.list_rank, new.search_grams
	    WHERE new.list_rank IS NOT NULL;
END;

CREATE TRIGGER clients_grams_delete AFTER DELETE ON clients
WHEN old.list_rank IS NOT NULL
BEGIN
	INSERT INTO clients_grams (clients_grams, rowid, search_grams)
	    VALUES ('delete', old.list_rank, old.search_grams);
END;
-- version 10
-- The rate limits of "notify accountants" count the reminders of the
-- last hour about the client and by the sender. Counted row by row, that
-- costs as many rows as the hour holds, which only a low limit bounds.
-- So each reminder carries its number among the client's reminders and
-- among the sender's (1, 2, ...), in the order of (created_at, id): a new
-- one takes the last number plus one, and a created_at no earlier than
-- the last one's of either (common/sqlite/reminder.c). The hour's count
-- is then the last number minus the hour's first, plus one: a few
-- lookups in reminders_by_client and reminders_by_sender (whose keys end
-- in the rowid, so in that order) at any volume.
ALTER TABLE reminders ADD COLUMN client_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reminders ADD COLUMN sender_seq INTEGER NOT NULL DEFAULT 0;
UPDATE reminders SET client_seq = n.c, sender_seq = n.s FROM (SELECT id,
	row_number() OVER (PARTITION BY client_id ORDER BY created_at, id)
	    AS c,
	row_number() OVER (PARTITION BY sender_id ORDER BY created_at, id)
	    AS s
	FROM reminders) AS n WHERE reminders.id = n.id;
-- version 11
-- A search's page reads each match's row from clients_by_rank itself,
-- which now carries it as the list's indexes do: one seek a match, where
-- the seek there and the lookup in client_rows were two. Its key is the
-- rank, an integer unique but for NULLs, so the JSON behind it lengthens
-- the entries but no comparison.
DROP INDEX clients_by_rank;
CREATE INDEX clients_by_rank
	ON clients (list_rank, missing_receipts, sort_key, list_json);
-- version 12
-- A CHECK with an IN list of three values or more has SQLite build a
-- temporary b-tree of the values each time it checks a row (3.40 turns a
-- list of one or two into comparisons): the frequency's made one at each
-- preference upsert, two when the row was there, a sixth of a PUT's
-- time. Comparisons say the same. SQLite cannot change a CHECK in place,
-- so the table is made again (nothing refers to it).
CREATE TABLE notification_preferences_v12 (
	user_id		INTEGER NOT NULL REFERENCES users (id),
	client_id	INTEGER NOT NULL REFERENCES clients (id),
	email		INTEGER NOT NULL CHECK (email IN (0, 1)),
	frequency	TEXT NOT NULL CHECK (frequency = 'daily' OR
			    frequency = 'weekly' OR frequency = 'monthly'),
	-- The first Monday 10:00 (firm's zone) after the setting was made:
	-- no digest slot before it includes this client.
	starts_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	-- The user's generation when this row last changed (version 7).
	generation	INTEGER NOT NULL DEFAULT 1,
	PRIMARY KEY (user_id, client_id)
) WITHOUT ROWID;
INSERT INTO notification_preferences_v12 (user_id, client_id, email,
	frequency, starts_at, updated_at, generation)
	SELECT user_id, client_id, email, frequency, starts_at, updated_at,
	generation FROM notification_preferences;
DROP TABLE notification_preferences;
ALTER TABLE notification_preferences_v12 RENAME TO notification_preferences;
CREATE INDEX preferences_by_frequency
	ON notification_preferences (frequency, user_id) WHERE email = 1;
-- version 13
-- How many of a firm's clients of each status hold each short gram
-- (version 9): the total of a search of one or two characters in one
-- lookup, where counting its matches in clients_grams read up to 201
-- entries on each page, a quarter of such a search's time. Every client
-- has its rank again once a statement ends, so these are the counts of
-- the index's ranges too. Kept by triggers on what decides them: a
-- client's firm, status and grams. Rows that reach 0 stay.
CREATE TABLE client_gram_counts (
	partner_id	INTEGER NOT NULL,
	status		TEXT NOT NULL,
	gram		TEXT NOT NULL,
	clients		INTEGER NOT NULL,
	PRIMARY KEY (partner_id, status, gram)
) WITHOUT ROWID;
INSERT INTO client_gram_counts (partner_id, status, gram, clients)
	SELECT c.partner_id, c.status, g.value, count(*) FROM clients c,
	json_each('["' || replace(c.search_grams, ' ', '","') || '"]') g
	WHERE c.search_grams <> '' GROUP BY 1, 2, 3;
-- search_grams is hex words and spaces: as a JSON array, one gram each.
CREATE TRIGGER client_gram_counts_insert AFTER INSERT ON clients
WHEN new.search_grams <> ''
BEGIN
	INSERT INTO client_gram_counts (partner_id, status, gram, clients)
	    SELECT new.partner_id, new.status, value, 1 FROM json_each('["' ||
	    replace(new.search_grams, ' ', '","') || '"]') WHERE true
	    ON CONFLICT DO UPDATE SET clients = clients + 1;
END;
CREATE TRIGGER client_gram_counts_update AFTER UPDATE OF partner_id,
    status, search_grams ON clients
WHEN old.partner_id <> new.partner_id OR old.status <> new.status OR
    old.search_grams <> new.search_grams
BEGIN
	UPDATE client_gram_counts SET clients = clients - 1
	    WHERE partner_id = old.partner_id AND status = old.status AND
	    gram IN (SELECT value FROM json_each('["' ||
	    replace(old.search_grams, ' ', '","') || '"]'));
	INSERT INTO client_gram_counts (partner_id, status, gram, clients)
	    SELECT new.partner_id, new.status, value, 1 FROM json_each('["' ||
	    replace(new.search_grams, ' ', '","') || '"]')
	    WHERE new.search_grams <> ''
	    ON CONFLICT DO UPDATE SET clients = clients + 1;
END;
CREATE TRIGGER client_gram_counts_delete AFTER DELETE ON clients
BEGIN
	UPDATE client_gram_counts SET clients = clients - 1
	    WHERE partner_id = old.partner_id AND status = old.status AND
	    gram IN (SELECT value FROM json_each('["' ||
	    replace(old.search_grams, ' ', '","') || '"]'));
END;
-- version 14
-- A firm's search of up to three characters reads its page from a b-tree
-- of (firm, status, gram, sort key, id): one seek to the cursor's place,
-- then the page's entries in the list's order, each row by its id from
-- client_rows. The FTS5 index of version 9 read a common gram's list of
-- ranks from its start up to the cursor's place on every page (a page of
-- "a" took a third longer on it). Keyed by the sort key, not the rank, the
-- entries stay where they are when ranks are spread: only a client's own
-- changes move them. Grams now run to three characters, so a search of
-- three reads its page here and its total from client_gram_counts too,
-- where the trigram index counted up to 201 entries on every page. The
-- trigram index keeps the longer searches and an assignee's.
DROP TRIGGER clients_grams_text;
DROP TRIGGER clients_grams_move;
DROP TRIGGER clients_grams_delete;
DROP TABLE clients_grams;
-- The grams are written again, and then counted again as a whole.
DROP TRIGGER client_gram_counts_update;
UPDATE clients SET search_grams = search_grams(search_text);
DELETE FROM client_gram_counts;
INSERT INTO client_gram_counts (partner_id, status, gram, clients)
	SELECT c.partner_id, c.status, g.value, count(*) FROM clients c,
	json_each('["' || replace(c.search_grams, ' ', '","') || '"]') g
	WHERE c.search_grams <> '' GROUP BY 1, 2, 3;
CREATE TRIGGER client_gram_counts_update AFTER UPDATE OF partner_id,
    status, search_grams ON clients
WHEN old.partner_id <> new.partner_id OR old.status <> new.status OR
    old.search_grams <> new.search_grams
BEGIN
	UPDATE client_gram_counts SET clients = clients - 1
	    WHERE partner_id = old.partner_id AND status = old.status AND
	    gram IN (SELECT value FROM json_each('["' ||
	    replace(old.search_grams, ' ', '","') || '"]'));
	INSERT INTO client_gram_counts (partner_id, status, gram, clients)
	    SELECT new.partner_id, new.status, value, 1 FROM json_each('["' ||
	    replace(new.search_grams, ' ', '","') || '"]')
	    WHERE new.search_grams <> ''
	    ON CONFLICT DO UPDATE SET clients = clients + 1;
END;

CREATE TABLE client_grams (
	partner_id	INTEGER NOT NULL,
	status		TEXT NOT NULL,
	gram		TEXT NOT NULL,
	sort_key	BLOB NOT NULL,
	id		INTEGER NOT NULL,
	PRIMARY KEY (partner_id, status, gram, sort_key, id)
) WITHOUT ROWID;
INSERT INTO client_grams (partner_id, status, gram, sort_key, id)
	SELECT c.partner_id, c.status, g.value, c.sort_key, c.id
	FROM clients c,
	json_each('["' || replace(c.search_grams, ' ', '","') || '"]') g
	WHERE c.search_grams <> '';
CREATE TRIGGER client_grams_insert AFTER INSERT ON clients
WHEN new.search_grams <> ''
BEGIN
	INSERT INTO client_grams (partner_id, status, gram, sort_key, id)
	    SELECT new.partner_id, new.status, value, new.sort_key, new.id
	    FROM json_each('["' || replace(new.search_grams, ' ', '","') ||
	    '"]');
END;
CREATE TRIGGER client_grams_update AFTER UPDATE OF partner_id, status,
    sort_key, search_grams ON clients
WHEN old.partner_id <> new.partner_id OR old.status <> new.status OR
    old.sort_key <> new.sort_key OR old.search_grams <> new.search_grams
BEGIN
	DELETE FROM client_grams WHERE partner_id = old.partner_id AND
	    status = old.status AND sort_key = old.sort_key AND
	    id = old.id AND gram IN (SELECT value FROM json_each('["' ||
	    replace(old.search_grams, ' ', '","') || '"]'));
	INSERT INTO client_grams (partner_id, status, gram, sort_key, id)
	    SELECT new.partner_id, new.status, value, new.sort_key, new.id
	    FROM json_each('["' || replace(new.search_grams, ' ', '","') ||
	    '"]') WHERE new.search_grams <> '';
END;
CREATE TRIGGER client_grams_delete AFTER DELETE ON clients
BEGIN
	DELETE FROM client_grams WHERE partner_id = old.partner_id AND
	    status = old.status AND sort_key = old.sort_key AND
	    id = old.id AND gram IN (SELECT value FROM json_each('["' ||
	    replace(old.search_grams, ' ', '","') || '"]'));
END;

-- A search's page reads each row from client_rows by id, its count of
-- missing receipts beside it, for the filter: the clients table's rows,
-- with their texts and grams, are long to read.
ALTER TABLE client_rows ADD COLUMN missing_receipts INTEGER NOT NULL
	DEFAULT 0;
UPDATE client_rows SET missing_receipts = c.missing_receipts
	FROM clients c WHERE c.id = client_rows.id;
DROP TRIGGER client_rows_insert;
CREATE TRIGGER client_rows_insert AFTER INSERT ON clients BEGIN
	INSERT INTO client_rows (id, partner_id, json, missing_receipts)
	    VALUES (new.id, new.partner_id, new.list_json,
	    new.missing_receipts);
END;
DROP TRIGGER client_rows_update;
CREATE TRIGGER client_rows_update AFTER UPDATE OF name, org_number,
    status, balance_minor, currency, missing_receipts, export_ready,
    assignees_json ON clients
BEGIN
	UPDATE client_rows SET json = new.list_json,
	    missing_receipts = new.missing_receipts WHERE id = new.id;
END;
-- version 15
-- Organisation numbers are checked by the client's country and written in
-- their normal form (common/org_number.c), one client per number and firm
-- among the clients not declined; and an integrator keeps its own
-- reference to a client, one per firm. org_key is the normal form that
-- the uniqueness and the lookup by number use: a new or changed number is
-- its own key. The numbers written before this version were not checked
-- and keep their text; their key is the text without spaces and dashes,
-- upper-cased. Where several clients of a firm already shared a key, the
-- first keeps it and the others have none: a search still finds them.
ALTER TABLE clients ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN org_key TEXT;
ALTER TABLE clients ADD COLUMN external_ref TEXT;
UPDATE clients SET org_key = upper(replace(replace(org_number, ' ', ''),
	    '-', '')),
	country = coalesce((SELECT CASE p.locale WHEN 'sv' THEN 'SE'
	    WHEN 'da' THEN 'DK' WHEN 'nb' THEN 'NO' ELSE 'GB' END
	    FROM partners p WHERE p.id = clients.partner_id), '');
UPDATE clients SET org_key = NULL WHERE id IN (SELECT id FROM (SELECT id,
	row_number() OVER (PARTITION BY partner_id, org_key ORDER BY id) AS n
	FROM clients WHERE status <> 'declined') WHERE n > 1);
CREATE UNIQUE INDEX clients_by_org_key ON clients (partner_id, org_key)
	WHERE status <> 'declined';
CREATE UNIQUE INDEX clients_by_external_ref
	ON clients (partner_id, external_ref);
-- version 16
-- API keys of integration users: the store keeps a key's prefix (what a
-- list shows and a request is looked up by) and the SHA-256 of its text,
-- never the text. last_used_at is written at most once a minute a key,
-- not on every request. A revoked key keeps its row, for the list.
CREATE TABLE api_keys (
	id		INTEGER PRIMARY KEY,
	partner_id	INTEGER NOT NULL REFERENCES partners (id),
	user_id		INTEGER NOT NULL REFERENCES users (id),
	name		TEXT NOT NULL,
	prefix		TEXT NOT NULL,
	secret_hash	BLOB NOT NULL,
	scopes		TEXT NOT NULL,
	expires_at	INTEGER,
	last_used_at	INTEGER,
	revoked_at	INTEGER,
	created_by	INTEGER NOT NULL,
	created_at	INTEGER NOT NULL
);
CREATE UNIQUE INDEX api_keys_by_prefix ON api_keys (prefix);
CREATE INDEX api_keys_by_partner ON api_keys (partner_id, id);
-- version 17
-- The firm's feed of what changed, for integrators (GET /v1/events) and
-- webhooks: written by triggers in the transaction of the change, so
-- that no change is without its event nor an event without its change.
-- Each firm's events are numbered 1, 2, 3... by event_counters, whose row
-- the writer holds to its commit: the numbers commit in order, so a
-- reader paging by number never skips one that commits later. (SQLite
-- has one writer at a time anyway; PostgreSQL's version 5 relies on it.)
-- The API re-serialises data, so the JSON text may differ by backend.
CREATE TABLE event_counters (
	partner_id	INTEGER PRIMARY KEY,
	seq		INTEGER NOT NULL
);
CREATE TABLE events (
	id		INTEGER PRIMARY KEY,
	partner_id	INTEGER NOT NULL,
	seq		INTEGER NOT NULL,
	type		TEXT NOT NULL,
	client_id	INTEGER,
	data		TEXT NOT NULL,
	created_at	INTEGER NOT NULL
);
CREATE UNIQUE INDEX events_by_seq ON events (partner_id, seq);
CREATE INDEX events_by_time ON events (created_at);

CREATE TRIGGER events_client_created AFTER INSERT ON clients
BEGIN
	INSERT INTO event_counters (partner_id, seq)
	    VALUES (new.partner_id, 1) ON CONFLICT DO UPDATE SET seq = seq + 1;
	INSERT INTO events (partner_id, seq, type, client_id, data, created_at)
	    SELECT new.partner_id, seq, 'client.created', new.id,
	    json_object('status', new.status, 'name', new.name,
	    'org_number', new.org_number, 'external_ref', new.external_ref),
	    unixepoch() FROM event_counters WHERE partner_id = new.partner_id;
END;
CREATE TRIGGER events_client_status AFTER UPDATE OF status ON clients
WHEN old.status <> new.status
BEGIN
	INSERT INTO event_counters (partner_id, seq)
	    VALUES (new.partner_id, 1) ON CONFLICT DO UPDATE SET seq = seq + 1;
	INSERT INTO events (partner_id, seq, type, client_id, data, created_at)
	    SELECT new.partner_id, seq, 'client.status_changed', new.id,
	    json_object('from', old.status, 'to', new.status), unixepoch()
	    FROM event_counters WHERE partner_id = new.partner_id;
END;
CREATE TRIGGER events_client_updated AFTER UPDATE OF name, org_number,
    country, external_ref, contact_email ON clients
WHEN old.name IS NOT new.name OR old.org_number IS NOT new.org_number OR
    old.country IS NOT new.country OR
    old.external_ref IS NOT new.external_ref OR
    old.contact_email IS NOT new.contact_email
BEGIN
	INSERT INTO event_counters (partner_id, seq)
	    VALUES (new.partner_id, 1) ON CONFLICT DO UPDATE SET seq = seq + 1;
	INSERT INTO events (partner_id, seq, type, client_id, data, created_at)
	    SELECT new.partner_id, seq, 'client.updated', new.id,
	    json_object('name', new.name, 'org_number', new.org_number,
	    'country', new.country, 'external_ref', new.external_ref),
	    unixepoch() FROM event_counters WHERE partner_id = new.partner_id;
END;
CREATE TRIGGER events_assignment_added AFTER INSERT ON assignments
BEGIN
	INSERT INTO event_counters (partner_id, seq)
	    SELECT partner_id, 1 FROM clients WHERE id = new.client_id
	    ON CONFLICT DO UPDATE SET seq = seq + 1;
	INSERT INTO events (partner_id, seq, type, client_id, data, created_at)
	    SELECT c.partner_id, e.seq, 'assignment.changed', new.client_id,
	    json_object('user_id', new.user_id, 'assigned', json('true')),
	    unixepoch() FROM clients c JOIN event_counters e
	    ON e.partner_id = c.partner_id WHERE c.id = new.client_id;
END;
CREATE TRIGGER events_assignment_removed AFTER DELETE ON assignments
BEGIN
	INSERT INTO event_counters (partner_id, seq)
	    SELECT partner_id, 1 FROM clients WHERE id = old.client_id
	    ON CONFLICT DO UPDATE SET seq = seq + 1;
	INSERT INTO events (partner_id, seq, type, client_id, data, created_at)
	    SELECT c.partner_id, e.seq, 'assignment.changed', old.client_id,
	    json_object('user_id', old.user_id, 'assigned', json('false')),
	    unixepoch() FROM clients c JOIN event_counters e
	    ON e.partner_id = c.partner_id WHERE c.id = old.client_id;
END;
CREATE TRIGGER events_reminder_created AFTER INSERT ON reminders
BEGIN
	INSERT INTO event_counters (partner_id, seq)
	    VALUES (new.partner_id, 1) ON CONFLICT DO UPDATE SET seq = seq + 1;
	INSERT INTO events (partner_id, seq, type, client_id, data, created_at)
	    SELECT new.partner_id, seq, 'reminder.created', new.client_id,
	    json_object('reminder_id', new.id, 'sender_id', new.sender_id,
	    'tasks', json(new.tasks)), unixepoch()
	    FROM event_counters WHERE partner_id = new.partner_id;
END;
-- A reminder's email to one recipient delivered or failed for good, and
-- a digest sent.
CREATE TRIGGER events_outbox_done AFTER UPDATE OF status ON outbox
WHEN old.status <> new.status AND (new.status = 'failed' OR
    new.status = 'sent')
BEGIN
	INSERT INTO event_counters (partner_id, seq)
	    SELECT partner_id, 1 FROM users WHERE id = new.user_id AND
	    (new.kind = 'reminder' OR new.status = 'sent')
	    ON CONFLICT DO UPDATE SET seq = seq + 1;
	INSERT INTO events (partner_id, seq, type, client_id, data, created_at)
	    SELECT r.partner_id, e.seq, CASE new.status WHEN 'sent' THEN
	    'reminder.delivered' ELSE 'reminder.failed' END, r.client_id,
	    json_object('reminder_id', r.id, 'user_id', new.user_id,
	    'error', CASE new.status WHEN 'failed' THEN new.last_error END),
	    unixepoch()
	    FROM reminder_recipients rr JOIN reminders r ON r.id = rr.reminder_id
	    JOIN event_counters e ON e.partner_id = r.partner_id
	    WHERE rr.outbox_id = new.id AND new.kind = 'reminder';
	INSERT INTO events (partner_id, seq, type, client_id, data, created_at)
	    SELECT u.partner_id, e.seq, 'digest.sent', NULL,
	    json_object('user_id', new.user_id, 'frequency', d.frequency,
	    'period', d.period, 'clients', d.clients), unixepoch()
	    FROM digests d JOIN users u ON u.id = d.user_id
	    JOIN event_counters e ON e.partner_id = u.partner_id
	    WHERE d.outbox_id = new.id AND new.kind = 'digest' AND
	    new.status = 'sent';
END;
-- version 18
-- Webhooks: a firm's endpoints, and a delivery of each event to each
-- endpoint that asked for its type, queued by a trigger in the
-- transaction that wrote the event (the outbox of webhooks), with each
-- attempt kept for the deliveries list. The secret is kept as given out:
-- the worker signs with it. failing_since is the time of the first
-- failed attempt since the last that succeeded.
CREATE TABLE webhook_endpoints (
	id		INTEGER PRIMARY KEY,
	partner_id	INTEGER NOT NULL REFERENCES partners (id),
	url		TEXT NOT NULL,
	events		TEXT NOT NULL,
	secret		TEXT NOT NULL,
	enabled		INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	failing_since	INTEGER,
	disabled_at	INTEGER,
	created_by	INTEGER NOT NULL,
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_by_partner
	ON webhook_endpoints (partner_id, id);
CREATE TABLE webhook_deliveries (
	id		INTEGER PRIMARY KEY,
	endpoint_id	INTEGER NOT NULL REFERENCES webhook_endpoints (id),
	event_id	INTEGER NOT NULL,
	status		TEXT NOT NULL DEFAULT 'pending'
			    CHECK (status IN ('pending', 'delivered')),
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_attempt_at	INTEGER NOT NULL,
	lease_until	INTEGER NOT NULL DEFAULT 0,
	created_at	INTEGER NOT NULL,
	delivered_at	INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries
	(next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_endpoint
	ON webhook_deliveries (endpoint_id, id);
CREATE TABLE webhook_attempts (
	id		INTEGER PRIMARY KEY,
	delivery_id	INTEGER NOT NULL,
	endpoint_id	INTEGER NOT NULL,
	attempt		INTEGER NOT NULL,
	attempted_at	INTEGER NOT NULL,
	http_status	INTEGER,
	error		TEXT,
	duration_ms	INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_by_endpoint
	ON webhook_attempts (endpoint_id, id);
CREATE TRIGGER webhook_fanout AFTER INSERT ON events
BEGIN
	INSERT INTO webhook_deliveries (endpoint_id, event_id,
	    next_attempt_at, created_at)
	    SELECT id, new.id, new.created_at, new.created_at
	    FROM webhook_endpoints WHERE partner_id = new.partner_id AND
	    enabled = 1 AND instr(' ' || events || ' ', ' ' || new.type || ' ')
	    > 0;
END;
-- version 19
-- The outbox takes a third kind of email, the notice to a firm's admins
-- that a webhook endpoint was disabled. SQLite cannot widen a CHECK in
-- place: the table is made again as in version 7 (its rows wait in a
-- copy, the foreign keys of digests and reminder_recipients deferred
-- until they are back), with its index and version 17's trigger, which
-- now counts an event only for the kinds that have one.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE outbox_before_v19 AS SELECT * FROM main.outbox;
DROP TRIGGER events_outbox_done;
DROP TABLE main.outbox;
CREATE TABLE outbox (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL CHECK (kind = 'digest' OR
			    kind = 'reminder' OR kind = 'webhook_disabled'),
	user_id		INTEGER NOT NULL REFERENCES users (id),
	recipient	TEXT NOT NULL,
	-- What to say, as JSON; the worker renders it into MIME.
	payload		TEXT NOT NULL,
	message_id	TEXT NOT NULL UNIQUE,
	status		TEXT NOT NULL DEFAULT 'queued'
			    CHECK (status IN ('queued', 'sending', 'sent',
			    'failed', 'cancelled')),
	attempts	INTEGER NOT NULL DEFAULT 0,
	-- When queued, when it is due; when sending, when the claimer's
	-- lease ends (the claimer pushes it on while it sends).
	next_attempt_at	INTEGER NOT NULL,
	last_error	TEXT,
	created_at	INTEGER NOT NULL,
	sent_at		INTEGER,
	cancel_reason	TEXT CHECK (cancel_reason IN ('recipient_inactive',
			    'recipient_unassigned')),
	CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL))
);
INSERT INTO main.outbox SELECT * FROM temp.outbox_before_v19 ORDER BY id;
DROP TABLE temp.outbox_before_v19;
CREATE INDEX outbox_due ON outbox (next_attempt_at, id)
	WHERE status IN ('queued', 'sending');
CREATE TRIGGER events_outbox_done AFTER UPDATE OF status ON outbox
WHEN old.status <> new.status AND (new.status = 'failed' OR
    new.status = 'sent') AND (new.kind = 'reminder' OR
    (new.kind = 'digest' AND new.status = 'sent'))
BEGIN
	INSERT INTO event_counters (partner_id, seq)
	    SELECT partner_id, 1 FROM users WHERE id = new.user_id
	    ON CONFLICT DO UPDATE SET seq = seq + 1;
	INSERT INTO events (partner_id, seq, type, client_id, data, created_at)
	    SELECT r.partner_id, e.seq, CASE new.status WHEN 'sent' THEN
	    'reminder.delivered' ELSE 'reminder.failed' END, r.client_id,
	    json_object('reminder_id', r.id, 'user_id', new.user_id,
	    'error', CASE new.status WHEN 'failed' THEN new.last_error END),
	    unixepoch()
	    FROM reminder_recipients rr JOIN reminders r ON r.id = rr.reminder_id
	    JOIN event_counters e ON e.partner_id = r.partner_id
	    WHERE rr.outbox_id = new.id AND new.kind = 'reminder';
	INSERT INTO events (partner_id, seq, type, client_id, data, created_at)
	    SELECT u.partner_id, e.seq, 'digest.sent', NULL,
	    json_object('user_id', new.user_id, 'frequency', d.frequency,
	    'period', d.period, 'clients', d.clients), unixepoch()
	    FROM digests d JOIN users u ON u.id = d.user_id
	    JOIN event_counters e ON e.partner_id = u.partner_id
	    WHERE d.outbox_id = new.id AND new.kind = 'digest';
END;
-- version 20
-- The monthly overview of a client's expenses: per calendar month in
-- the firm's zone and currency, how many expenses are exported, ready
-- and pending, their amounts, and how many lack a receipt. An expense
-- carries its month (year * 100 + month), worked out by the store when
-- it is written (the firm's zone is set when the firm is made and does
-- not change); the triggers below move the month's counters in the
-- statement that writes the expense, so no request counts expenses,
-- and an expense whose date, amount or states change leaves its old
-- month's figures and joins its new one's. local_month() is the
-- store's (common/sqlite/store.c): only this version's fill of the
-- months of expenses written before it calls it.
ALTER TABLE expenses ADD COLUMN month INTEGER NOT NULL DEFAULT 0;
UPDATE expenses SET month = local_month(spent_at, (SELECT p.timezone
	FROM clients c JOIN partners p ON p.id = c.partner_id
	WHERE c.id = expenses.client_id));
CREATE TABLE client_months (
	client_id	INTEGER NOT NULL,
	month		INTEGER NOT NULL,
	currency	TEXT NOT NULL,
	pending		INTEGER NOT NULL DEFAULT 0,
	pending_minor	INTEGER NOT NULL DEFAULT 0,
	ready		INTEGER NOT NULL DEFAULT 0,
	ready_minor	INTEGER NOT NULL DEFAULT 0,
	exported	INTEGER NOT NULL DEFAULT 0,
	exported_minor	INTEGER NOT NULL DEFAULT 0,
	missing_receipts INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (client_id, month, currency)
) WITHOUT ROWID;
INSERT INTO client_months (client_id, month, currency, pending,
	pending_minor, ready, ready_minor, exported, exported_minor,
	missing_receipts)
	SELECT client_id, month, currency,
	sum(export_status = 'pending'),
	sum(iif(export_status = 'pending', amount_minor, 0)),
	sum(export_status = 'ready'),
	sum(iif(export_status = 'ready', amount_minor, 0)),
	sum(export_status = 'exported'),
	sum(iif(export_status = 'exported', amount_minor, 0)),
	sum(receipt_status = 'missing')
	FROM expenses GROUP BY client_id, month, currency;
CREATE TRIGGER client_months_insert AFTER INSERT ON expenses BEGIN
	INSERT INTO client_months (client_id, month, currency, pending,
	    pending_minor, ready, ready_minor, exported, exported_minor,
	    missing_receipts)
	    VALUES (new.client_id, new.month, new.currency,
	    new.export_status = 'pending',
	    iif(new.export_status = 'pending', new.amount_minor, 0),
	    new.export_status = 'ready',
	    iif(new.export_status = 'ready', new.amount_minor, 0),
	    new.export_status = 'exported',
	    iif(new.export_status = 'exported', new.amount_minor, 0),
	    new.receipt_status = 'missing')
	    ON CONFLICT (client_id, month, currency) DO UPDATE SET
	    pending = pending + excluded.pending,
	    pending_minor = pending_minor + excluded.pending_minor,
	    ready = ready + excluded.ready,
	    ready_minor = ready_minor + excluded.ready_minor,
	    exported = exported + excluded.exported,
	    exported_minor = exported_minor + excluded.exported_minor,
	    missing_receipts = missing_receipts + excluded.missing_receipts;
END;
CREATE TRIGGER client_months_delete AFTER DELETE ON expenses BEGIN
	UPDATE client_months SET
	    pending = pending - (old.export_status = 'pending'),
	    pending_minor = pending_minor -
	    iif(old.export_status = 'pending', old.amount_minor, 0),
	    ready = ready - (old.export_status = 'ready'),
	    ready_minor = ready_minor -
	    iif(old.export_status = 'ready', old.amount_minor, 0),
	    exported = exported - (old.export_status = 'exported'),
	    exported_minor = exported_minor -
	    iif(old.export_status = 'exported', old.amount_minor, 0),
	    missing_receipts = missing_receipts -
	    (old.receipt_status = 'missing')
	    WHERE client_id = old.client_id AND month = old.month AND
	    currency = old.currency;
END;
-- An update is the old row's removal and the new row's arrival, in that
-- order, whether or not it changes month.
CREATE TRIGGER client_months_update AFTER UPDATE OF month, currency,
    amount_minor, receipt_status, export_status ON expenses
WHEN old.month <> new.month OR old.currency <> new.currency OR
    old.amount_minor <> new.amount_minor OR
    old.receipt_status <> new.receipt_status OR
    old.export_status <> new.export_status
BEGIN
	UPDATE client_months SET
	    pending = pending - (old.export_status = 'pending'),
	    pending_minor = pending_minor -
	    iif(old.export_status = 'pending', old.amount_minor, 0),
	    ready = ready - (old.export_status = 'ready'),
	    ready_minor = ready_minor -
	    iif(old.export_status = 'ready', old.amount_minor, 0),
	    exported = exported - (old.export_status = 'exported'),
	    exported_minor = exported_minor -
	    iif(old.export_status = 'exported', old.amount_minor, 0),
	    missing_receipts = missing_receipts -
	    (old.receipt_status = 'missing')
	    WHERE client_id = old.client_id AND month = old.month AND
	    currency = old.currency;
	INSERT INTO client_months (client_id, month, currency, pending,
	    pending_minor, ready, ready_minor, exported, exported_minor,
	    missing_receipts)
	    VALUES (new.client_id, new.month, new.currency,
	    new.export_status = 'pending',
	    iif(new.export_status = 'pending', new.amount_minor, 0),
	    new.export_status = 'ready',
	    iif(new.export_status = 'ready', new.amount_minor, 0),
	    new.export_status = 'exported',
	    iif(new.export_status = 'exported', new.amount_minor, 0),
	    new.receipt_status = 'missing')
	    ON CONFLICT (client_id, month, currency) DO UPDATE SET
	    pending = pending + excluded.pending,
	    pending_minor = pending_minor + excluded.pending_minor,
	    ready = ready + excluded.ready,
	    ready_minor = ready_minor + excluded.ready_minor,
	    exported = exported + excluded.exported,
	    exported_minor = exported_minor + excluded.exported_minor,
	    missing_receipts = missing_receipts + excluded.missing_receipts;
END;
-- version 21
-- Thresholds and the alerts they raise. A firm has defaults (how many
-- missing receipts are too many, after how many days a missing receipt
-- is too old: 10 and 30 until an admin changes them, NULL for none; and
-- a low-balance line per currency, none until set), and each client may
-- override any of them (NULL: the firm's). A client's alerts are bits
-- of clients.alerts: 1 low_balance (its balance below the line of its
-- currency), 2 many_missing_receipts (more missing receipts than the
-- threshold), 4 old_missing_receipts (its oldest missing receipt older
-- than the days). They are worked out by client_alerts_now, one view, in
-- the statement that changes what they depend on: the triggers below run
-- it for the client, the store for every client of a firm whose
-- defaults change, and the worker for the clients whose oldest missing
-- receipt has just grown too old (missing_due_at, the moment it does).
-- The list's row shows the alerts, its indexes and client_rows carry
-- them for the filters, and client_alert_counts counts the clients of
-- each (firm or assignee, status, alerts plus 8 when missing receipts)
-- for the filtered totals.
-- The list's sort=attention orders by clients.attention, then by name:
-- one integer that orders the clients with more alerts first, then by
-- their oldest missing receipt (none: last), then by how many receipts
-- they miss, most first. It is
--   (3 - alerts) << 60 | oldest missing receipt << 19 | 524287 - missing
-- with the time (seconds) at most 2^41 - 1, which stands for none too,
-- and the count at most 524287: a list's cursor carries it as it
-- carries a count of missing receipts, and the order pages by index as
-- the order by missing receipts does. Assignments, client_rows and
-- clients_by_rank carry it for an assignee's list and a search.
ALTER TABLE partners ADD COLUMN missing_receipts_above INTEGER DEFAULT 10;
ALTER TABLE partners ADD COLUMN missing_receipt_days INTEGER DEFAULT 30;
CREATE TABLE balance_thresholds (
	partner_id	INTEGER NOT NULL REFERENCES partners (id),
	currency	TEXT NOT NULL,
	amount_minor	INTEGER NOT NULL,
	PRIMARY KEY (partner_id, currency)
) WITHOUT ROWID;
-- A client's own low-balance line holds for the currency it was set in.
ALTER TABLE clients ADD COLUMN balance_below INTEGER;
ALTER TABLE clients ADD COLUMN balance_below_currency TEXT;
ALTER TABLE clients ADD COLUMN missing_receipts_above INTEGER;
ALTER TABLE clients ADD COLUMN missing_receipt_days INTEGER;
ALTER TABLE clients ADD COLUMN oldest_missing_at INTEGER;
ALTER TABLE clients ADD COLUMN missing_due_at INTEGER;
ALTER TABLE clients ADD COLUMN alerts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN attention INTEGER NOT NULL
	DEFAULT 4611686018427387903;
CREATE INDEX expenses_missing_since
	ON expenses (client_id, receipt_status, spent_at);
CREATE INDEX clients_missing_due ON clients (missing_due_at)
	WHERE missing_due_at IS NOT NULL AND alerts & 4 = 0;
UPDATE clients SET oldest_missing_at = (SELECT min(spent_at) FROM expenses
	WHERE client_id = clients.id AND receipt_status = 'missing');

CREATE VIEW client_alerts_now AS
	SELECT id, due, alerts, (3 - (alerts & 1) - ((alerts >> 1) & 1) -
	    ((alerts >> 2) & 1)) * 1152921504606846976 +
	    max(0, min(coalesce(oldest, 2199023255551), 2199023255551)) *
	    524288 + 524287 - min(missing, 524287) AS attention
	FROM (SELECT c.id, c.oldest_missing_at AS oldest,
	    c.missing_receipts AS missing, c.oldest_missing_at + 86400 *
	    coalesce(c.missing_receipt_days, p.missing_receipt_days) AS due,
	coalesce(c.balance_minor < coalesce(CASE WHEN
	    c.balance_below_currency = c.currency THEN c.balance_below END,
	    b.amount_minor), 0) +
	2 * coalesce(c.missing_receipts > coalesce(c.missing_receipts_above,
	    p.missing_receipts_above), 0) +
	4 * coalesce(c.oldest_missing_at + 86400 *
	    coalesce(c.missing_receipt_days, p.missing_receipt_days) <=
	    unixepoch(), 0) AS alerts
	FROM clients c JOIN partners p ON p.id = c.partner_id
	LEFT JOIN balance_thresholds b ON b.partner_id = c.partner_id AND
	    b.currency = c.currency);
UPDATE clients SET missing_due_at = v.due, alerts = v.alerts,
	attention = v.attention
	FROM client_alerts_now v WHERE v.id = clients.id;

-- The oldest missing receipt follows the expenses.
CREATE TRIGGER clients_oldest_missing_insert AFTER INSERT ON expenses
WHEN new.receipt_status = 'missing'
BEGIN
	UPDATE clients SET oldest_missing_at = new.spent_at
	    WHERE id = new.client_id AND (oldest_missing_at IS NULL OR
	    oldest_missing_at > new.spent_at);
END;
CREATE TRIGGER clients_oldest_missing_update AFTER UPDATE OF
    receipt_status, spent_at ON expenses
WHEN (old.receipt_status = 'missing' OR new.receipt_status = 'missing')
    AND (old.receipt_status <> new.receipt_status OR
    old.spent_at <> new.spent_at)
BEGIN
	UPDATE clients SET oldest_missing_at = (SELECT min(spent_at)
	    FROM expenses WHERE client_id = new.client_id AND
	    receipt_status = 'missing') WHERE id = new.client_id;
END;
CREATE TRIGGER clients_oldest_missing_delete AFTER DELETE ON expenses
WHEN old.receipt_status = 'missing'
BEGIN
	UPDATE clients SET oldest_missing_at = (SELECT min(spent_at)
	    FROM expenses WHERE client_id = old.client_id AND
	    receipt_status = 'missing') WHERE id = old.client_id;
END;

-- The alerts follow what they depend on; only a change is written.
CREATE TRIGGER clients_alerts_insert AFTER INSERT ON clients BEGIN
	UPDATE clients SET missing_due_at = v.due, alerts = v.alerts,
	    attention = v.attention
	    FROM client_alerts_now v WHERE clients.id = new.id AND
	    v.id = new.id AND (clients.missing_due_at IS NOT v.due OR
	    clients.alerts <> v.alerts OR clients.attention <> v.attention);
END;
CREATE TRIGGER clients_alerts_update AFTER UPDATE OF balance_minor,
    currency, missing_receipts, oldest_missing_at, balance_below,
    balance_below_currency, missing_receipts_above, missing_receipt_days
    ON clients
BEGIN
	UPDATE clients SET missing_due_at = v.due, alerts = v.alerts,
	    attention = v.attention
	    FROM client_alerts_now v WHERE clients.id = new.id AND
	    v.id = new.id AND (clients.missing_due_at IS NOT v.due OR
	    clients.alerts <> v.alerts OR clients.attention <> v.attention);
END;

-- The row shows its alerts: list_json is made again with them, and so
-- are the indexes that carry it, which now carry the alerts too, and
-- client_rows.
DROP INDEX clients_list_by_name;
DROP INDEX clients_list_by_missing;
DROP INDEX clients_list_by_missing_desc;
DROP INDEX clients_by_rank;
DROP TRIGGER client_rows_insert;
DROP TRIGGER client_rows_update;
ALTER TABLE clients DROP COLUMN list_json;
ALTER TABLE clients ADD COLUMN list_json TEXT GENERATED ALWAYS AS
	(json_object('id', id, 'name', name, 'org_number', org_number,
	'status', status, 'balance', json_object('amount_minor',
	balance_minor, 'currency', currency), 'missing_receipts',
	missing_receipts, 'export_ready', export_ready, 'assignees',
	json(assignees_json), 'alerts', json(CASE alerts
	WHEN 0 THEN '[]'
	WHEN 1 THEN '["low_balance"]'
	WHEN 2 THEN '["many_missing_receipts"]'
	WHEN 3 THEN '["low_balance","many_missing_receipts"]'
	WHEN 4 THEN '["old_missing_receipts"]'
	WHEN 5 THEN '["low_balance","old_missing_receipts"]'
	WHEN 6 THEN '["many_missing_receipts","old_missing_receipts"]'
	ELSE '["low_balance","many_missing_receipts","old_missing_receipts"]'
	END))) VIRTUAL;
CREATE INDEX clients_list_by_name
	ON clients (partner_id, status, sort_key, id, missing_receipts,
	alerts, list_json);
CREATE INDEX clients_list_by_missing
	ON clients (partner_id, status, missing_receipts, sort_key, id,
	alerts, list_json);
CREATE INDEX clients_list_by_missing_desc
	ON clients (partner_id, status, missing_receipts DESC, sort_key, id,
	alerts, list_json);
CREATE INDEX clients_list_by_attention
	ON clients (partner_id, status, attention, sort_key, id,
	missing_receipts, alerts, list_json);
CREATE INDEX clients_by_rank
	ON clients (list_rank, missing_receipts, sort_key, alerts, attention,
	list_json);
ALTER TABLE client_rows ADD COLUMN alerts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE client_rows ADD COLUMN attention INTEGER NOT NULL DEFAULT 0;
UPDATE client_rows SET json = c.list_json, alerts = c.alerts,
	attention = c.attention
	FROM clients c WHERE c.id = client_rows.id;
CREATE TRIGGER client_rows_insert AFTER INSERT ON clients BEGIN
	INSERT INTO client_rows (id, partner_id, json, missing_receipts,
	    alerts, attention)
	    VALUES (new.id, new.partner_id, new.list_json,
	    new.missing_receipts, new.alerts, new.attention);
END;
CREATE TRIGGER client_rows_update AFTER UPDATE OF name, org_number,
    status, balance_minor, currency, missing_receipts, export_ready,
    assignees_json, alerts, attention ON clients
BEGIN
	UPDATE client_rows SET json = new.list_json,
	    missing_receipts = new.missing_receipts, alerts = new.alerts,
	    attention = new.attention
	    WHERE id = new.id;
END;

-- An assignee's list in that order walks a copy in assignments.
ALTER TABLE assignments ADD COLUMN attention INTEGER NOT NULL
	DEFAULT 4611686018427387903;
UPDATE assignments SET attention = c.attention FROM clients c
	WHERE c.id = assignments.client_id;
CREATE INDEX assignments_by_attention
	ON assignments (user_id, status, attention, sort_key, client_id,
	missing_receipts);
DROP TRIGGER clients_assignments_sync;
CREATE TRIGGER clients_assignments_sync AFTER UPDATE OF status, sort_key,
    missing_receipts, attention ON clients WHEN old.status <> new.status OR
    old.sort_key <> new.sort_key OR
    old.missing_receipts <> new.missing_receipts OR
    old.attention <> new.attention
BEGIN
	UPDATE assignments SET status = new.status, sort_key = new.sort_key,
	    missing_receipts = new.missing_receipts,
	    attention = new.attention
	    WHERE client_id = new.id;
END;
-- A new assignment takes the client's.
CREATE TRIGGER assignments_attention AFTER INSERT ON assignments BEGIN
	UPDATE assignments SET attention = (SELECT attention FROM clients
	    WHERE id = new.client_id)
	    WHERE user_id = new.user_id AND client_id = new.client_id;
END;

CREATE TABLE client_alert_counts (
	partner_id	INTEGER NOT NULL,
	user_id		INTEGER NOT NULL,
	status		TEXT NOT NULL,
	flags		INTEGER NOT NULL,
	clients		INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (partner_id, user_id, status, flags)
) WITHOUT ROWID;
INSERT INTO client_alert_counts (partner_id, user_id, status, flags,
	clients)
	SELECT partner_id, 0, status, alerts + 8 * (missing_receipts > 0),
	count(*) FROM clients GROUP BY 1, 2, 3, 4
	UNION ALL
	SELECT c.partner_id, a.user_id, c.status,
	c.alerts + 8 * (c.missing_receipts > 0), count(*)
	FROM assignments a JOIN clients c ON c.id = a.client_id
	GROUP BY 1, 2, 3, 4;
CREATE TRIGGER client_alert_counts_insert AFTER INSERT ON clients BEGIN
	INSERT INTO client_alert_counts (partner_id, user_id, status, flags,
	    clients)
	    VALUES (new.partner_id, 0, new.status,
	    new.alerts + 8 * (new.missing_receipts > 0), 1)
	    ON CONFLICT DO UPDATE SET clients = clients + 1;
END;
CREATE TRIGGER client_alert_counts_update AFTER UPDATE OF status, alerts,
    missing_receipts ON clients
WHEN old.status <> new.status OR old.alerts <> new.alerts OR
    (old.missing_receipts > 0) <> (new.missing_receipts > 0)
BEGIN
	UPDATE client_alert_counts SET clients = clients - 1
	    WHERE partner_id = old.partner_id AND status = old.status AND
	    flags = old.alerts + 8 * (old.missing_receipts > 0) AND
	    (user_id = 0 OR user_id IN
	    (SELECT user_id FROM assignments WHERE client_id = old.id));
	INSERT INTO client_alert_counts (partner_id, user_id, status, flags,
	    clients)
	    SELECT new.partner_id, 0, new.status,
	    new.alerts + 8 * (new.missing_receipts > 0), 1
	    UNION ALL
	    SELECT new.partner_id, user_id, new.status,
	    new.alerts + 8 * (new.missing_receipts > 0), 1 FROM assignments
	    WHERE client_id = new.id
	    ON CONFLICT DO UPDATE SET clients = clients + 1;
END;
CREATE TRIGGER client_alert_counts_assigned AFTER INSERT ON assignments
BEGIN
	INSERT INTO client_alert_counts (partner_id, user_id, status, flags,
	    clients)
	    SELECT partner_id, new.user_id, status,
	    alerts + 8 * (missing_receipts > 0), 1
	    FROM clients WHERE id = new.client_id
	    ON CONFLICT DO UPDATE SET clients = clients + 1;
END;
CREATE TRIGGER client_alert_counts_unassigned AFTER DELETE ON assignments
BEGIN
	UPDATE client_alert_counts SET clients = clients - 1
	    WHERE user_id = old.user_id AND (partner_id, status, flags) =
	    (SELECT partner_id, status, alerts + 8 * (missing_receipts > 0)
	    FROM clients WHERE id = old.client_id);
END;
-- version 22
-- The admin's list of the firm's reminders (GET /v1/reminders): newest
-- first, by client, by sender and by delivery state. Each reminder counts
-- its recipients' emails still on their way (queued or sending), sent,
-- and failed for good (cancelled ones count in none), and its state
-- follows from the counts: pending while one is on its way; then failed
-- (none sent), partly_failed (some sent, some failed), delivered (sent,
-- the others if any cancelled), cancelled (all cancelled). Triggers keep
-- the counts in the transaction that changes an email's status or points
-- a recipient at a new email (a resend), so a filter by state walks one
-- index instead of reading every reminder's recipients. They are not
-- copied by copy-to: the target's triggers count them again as its
-- reminder_recipients rows arrive, after the outbox's.
ALTER TABLE reminders ADD COLUMN recipients_pending INTEGER NOT NULL
	DEFAULT 0;
ALTER TABLE reminders ADD COLUMN recipients_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reminders ADD COLUMN recipients_failed INTEGER NOT NULL
	DEFAULT 0;
ALTER TABLE reminders ADD COLUMN state TEXT GENERATED ALWAYS AS (CASE
	WHEN recipients_pending > 0 THEN 'pending'
	WHEN recipients_failed > 0 AND recipients_sent > 0
	    THEN 'partly_failed'
	WHEN recipients_failed > 0 THEN 'failed'
	WHEN recipients_sent > 0 THEN 'delivered'
	ELSE 'cancelled' END) VIRTUAL;
UPDATE reminders SET
	recipients_pending = (SELECT count(*) FROM reminder_recipients rr
	    JOIN outbox o ON o.id = rr.outbox_id WHERE rr.reminder_id =
	    reminders.id AND o.status IN ('queued', 'sending')),
	recipients_sent = (SELECT count(*) FROM reminder_recipients rr
	    JOIN outbox o ON o.id = rr.outbox_id WHERE rr.reminder_id =
	    reminders.id AND o.status = 'sent'),
	recipients_failed = (SELECT count(*) FROM reminder_recipients rr
	    JOIN outbox o ON o.id = rr.outbox_id WHERE rr.reminder_id =
	    reminders.id AND o.status = 'failed');
-- Keys end in the rowid: (created_at, id) order within a firm, and
-- within a firm's reminders in one state.
CREATE INDEX reminders_by_partner ON reminders (partner_id, created_at);
CREATE INDEX reminders_by_state ON reminders (partner_id, state, created_at);
CREATE TRIGGER reminders_count_added AFTER INSERT ON reminder_recipients
BEGIN
	UPDATE reminders SET
	    recipients_pending = recipients_pending + (SELECT status IN
	    ('queued', 'sending') FROM outbox WHERE id = new.outbox_id),
	    recipients_sent = recipients_sent + (SELECT status = 'sent'
	    FROM outbox WHERE id = new.outbox_id),
	    recipients_failed = recipients_failed + (SELECT status = 'failed'
	    FROM outbox WHERE id = new.outbox_id)
	    WHERE id = new.reminder_id;
END;
CREATE TRIGGER reminders_count_resent AFTER UPDATE OF outbox_id
    ON reminder_recipients
WHEN old.outbox_id <> new.outbox_id
BEGIN
	UPDATE reminders SET
	    recipients_pending = recipients_pending - (SELECT status IN
	    ('queued', 'sending') FROM outbox WHERE id = old.outbox_id) +
	    (SELECT status IN ('queued', 'sending') FROM outbox
	    WHERE id = new.outbox_id),
	    recipients_sent = recipients_sent - (SELECT status = 'sent'
	    FROM outbox WHERE id = old.outbox_id) + (SELECT status = 'sent'
	    FROM outbox WHERE id = new.outbox_id),
	    recipients_failed = recipients_failed - (SELECT status = 'failed'
	    FROM outbox WHERE id = old.outbox_id) + (SELECT status = 'failed'
	    FROM outbox WHERE id = new.outbox_id)
	    WHERE id = new.reminder_id;
END;
-- A claim (queued to sending) or a retry (back to queued) moves nothing.
CREATE TRIGGER reminders_count_status AFTER UPDATE OF status ON outbox
WHEN new.kind = 'reminder' AND old.status <> new.status AND
    NOT (old.status IN ('queued', 'sending') AND
    new.status IN ('queued', 'sending'))
BEGIN
	UPDATE reminders SET
	    recipients_pending = recipients_pending -
	    (old.status IN ('queued', 'sending')) +
	    (new.status IN ('queued', 'sending')),
	    recipients_sent = recipients_sent - (old.status = 'sent') +
	    (new.status = 'sent'),
	    recipients_failed = recipients_failed - (old.status = 'failed') +
	    (new.status = 'failed')
	    WHERE id = (SELECT reminder_id FROM reminder_recipients
	    WHERE outbox_id = new.id);
END;
-- version 23
-- Digests say what changed: a setting may ask for a client only while it
-- has an alert (alerts_only), and alerts_seen keeps the alerts the last
-- digest that listed the client showed, so that the next one marks those
-- raised since as new. Written with the digest, in its transaction.
ALTER TABLE notification_preferences ADD COLUMN alerts_only INTEGER NOT NULL
	DEFAULT 0 CHECK (alerts_only = 0 OR alerts_only = 1);
ALTER TABLE notification_preferences ADD COLUMN alerts_seen INTEGER NOT NULL
	DEFAULT 0;
-- version 24
-- A person's language: the emails a user receives are in it, and in the
-- firm's while it is NULL (the user never chose one).
ALTER TABLE users ADD COLUMN locale TEXT
	CHECK (locale IS NULL OR locale IN ('sv', 'da', 'nb', 'en'));
-- version 25
-- The list's row carries what the page shows of a client without
-- another request: each assignee's role, when the client was invited
-- (invited_at: its created_at) and when it entered onboarding
-- (onboarding_since, null if it never did), RFC 3339 in UTC like the
-- API's other times. A client enters onboarding when an admin invites it
-- through the portal: the store writes onboarding_since with the row.
-- Rows written before now take the best known time: created_at for
-- clients that are, or could only have come from, onboarding (onboarding,
-- rejected), and for active ones whose events say they started there;
-- none for the others. client_assignees stays the one place that builds
-- assignees_json, now with the role, and a user's new role changes the
-- lists they are on as a new name does. list_json is made again with the
-- new members, and so are the indexes that carry it and client_rows.
ALTER TABLE clients ADD COLUMN onboarding_since INTEGER;
UPDATE clients SET onboarding_since = created_at
	WHERE status IN ('onboarding', 'rejected') OR (status = 'active' AND
	EXISTS (SELECT 1 FROM events e WHERE e.client_id = clients.id AND
	((e.type = 'client.created' AND
	json_extract(e.data, '$.status') = 'onboarding') OR
	(e.type = 'client.status_changed' AND
	json_extract(e.data, '$.from') = 'onboarding'))));

DROP VIEW client_assignees;
CREATE VIEW client_assignees (client_id, json) AS
	SELECT c.id, (SELECT json_group_array(json_object('id', id,
	    'name', name, 'role', role)) FROM
	    (SELECT u.id, u.name, u.role FROM assignments a JOIN users u
	    ON u.id = a.user_id WHERE a.client_id = c.id AND
	    u.active = 1 ORDER BY u.name, u.id))
	FROM clients c;
DROP TRIGGER users_assignees_update;
CREATE TRIGGER users_assignees_update AFTER UPDATE OF name, active, role
    ON users
BEGIN
	UPDATE clients SET assignees_json = (SELECT v.json
	    FROM client_assignees v WHERE v.client_id = clients.id)
	    WHERE id IN (SELECT client_id FROM assignments
	    WHERE user_id = new.id);
END;

DROP INDEX clients_list_by_name;
DROP INDEX clients_list_by_missing;
DROP INDEX clients_list_by_missing_desc;
DROP INDEX clients_list_by_attention;
DROP INDEX clients_by_rank;
DROP TRIGGER client_rows_insert;
DROP TRIGGER client_rows_update;
ALTER TABLE clients DROP COLUMN list_json;
ALTER TABLE clients ADD COLUMN list_json TEXT GENERATED ALWAYS AS
	(json_object('id', id, 'name', name, 'org_number', org_number,
	'status', status, 'balance', json_object('amount_minor',
	balance_minor, 'currency', currency), 'missing_receipts',
	missing_receipts, 'export_ready', export_ready, 'assignees',
	json(assignees_json), 'alerts', json(CASE alerts
	WHEN 0 THEN '[]'
	WHEN 1 THEN '["low_balance"]'
	WHEN 2 THEN '["many_missing_receipts"]'
	WHEN 3 THEN '["low_balance","many_missing_receipts"]'
	WHEN 4 THEN '["old_missing_receipts"]'
	WHEN 5 THEN '["low_balance","old_missing_receipts"]'
	WHEN 6 THEN '["many_missing_receipts","old_missing_receipts"]'
	ELSE '["low_balance","many_missing_receipts","old_missing_receipts"]'
	END), 'invited_at', strftime('%Y-%m-%dT%H:%M:%SZ', created_at,
	'unixepoch'), 'onboarding_since', strftime('%Y-%m-%dT%H:%M:%SZ',
	onboarding_since, 'unixepoch'))) VIRTUAL;
UPDATE clients SET assignees_json = v.json FROM client_assignees v
	WHERE v.client_id = clients.id;
CREATE INDEX clients_list_by_name
	ON clients (partner_id, status, sort_key, id, missing_receipts,
	alerts, list_json);
CREATE INDEX clients_list_by_missing
	ON clients (partner_id, status, missing_receipts, sort_key, id,
	alerts, list_json);
CREATE INDEX clients_list_by_missing_desc
	ON clients (partner_id, status, missing_receipts DESC, sort_key, id,
	alerts, list_json);
CREATE INDEX clients_list_by_attention
	ON clients (partner_id, status, attention, sort_key, id,
	missing_receipts, alerts, list_json);
CREATE INDEX clients_by_rank
	ON clients (list_rank, missing_receipts, sort_key, alerts, attention,
	list_json);
UPDATE client_rows SET json = c.list_json FROM clients c
	WHERE c.id = client_rows.id;
CREATE TRIGGER client_rows_insert AFTER INSERT ON clients BEGIN
	INSERT INTO client_rows (id, partner_id, json, missing_receipts,
	    alerts, attention)
	    VALUES (new.id, new.partner_id, new.list_json,
	    new.missing_receipts, new.alerts, new.attention);
END;
CREATE TRIGGER client_rows_update AFTER UPDATE OF name, org_number,
    status, balance_minor, currency, missing_receipts, export_ready,
    assignees_json, alerts, attention, created_at, onboarding_since
    ON clients
BEGIN
	UPDATE client_rows SET json = new.list_json,
	    missing_receipts = new.missing_receipts, alerts = new.alerts,
	    attention = new.attention
	    WHERE id = new.id;
END;
-- version 26
-- A user's digest settings as the list shows them, stamped: a new
-- setting, a removed one, and a change to what the list shows of one
-- (email, frequency, alerts_only, starts_at, updated_at; not what a
-- digest marks as seen) raise the user's preferences_stamp in their
-- transaction. The API keeps a copy of a user's settings with the stamp
-- it read them at, and the account read at the start of every request
-- says whether that copy is still the settings, in any process.
ALTER TABLE users ADD COLUMN preferences_stamp INTEGER NOT NULL DEFAULT 0;
UPDATE users SET preferences_stamp = 1
	WHERE id IN (SELECT user_id FROM notification_preferences);
CREATE TRIGGER preferences_stamp_insert AFTER INSERT
    ON notification_preferences
BEGIN
	UPDATE users SET preferences_stamp = preferences_stamp + 1
	    WHERE id = new.user_id;
END;
CREATE TRIGGER preferences_stamp_update AFTER UPDATE OF user_id,
    client_id, email, frequency, alerts_only, starts_at, updated_at
    ON notification_preferences
    -- A setting written again as it was changes nothing the list shows.
    WHEN old.user_id <> new.user_id OR old.client_id <> new.client_id OR
    old.email <> new.email OR old.frequency <> new.frequency OR
    old.alerts_only <> new.alerts_only OR
    old.starts_at <> new.starts_at OR old.updated_at <> new.updated_at
BEGIN
	UPDATE users SET preferences_stamp = preferences_stamp + 1
	    WHERE id = new.user_id;
	-- Two statements, not an IN list: that would build a temporary
	-- b-tree at every upsert (see version 12).
	UPDATE users SET preferences_stamp = preferences_stamp + 1
	    WHERE id = old.user_id AND old.user_id <> new.user_id;
END;
CREATE TRIGGER preferences_stamp_delete AFTER DELETE
    ON notification_preferences
BEGIN
	UPDATE users SET preferences_stamp = preferences_stamp + 1
	    WHERE id = old.user_id;
END;
-- The firm's clients with a low balance have an index of their own, in
-- the list's order: a filter on that alert walks it, where the general
-- index has about ten clients for each it keeps (a list filtered on a
-- rare alert read its page from ten times its rows). The other alerts
-- are common wherever they apply, and their filter drops few rows.
CREATE INDEX clients_list_low_balance
	ON clients (partner_id, status, sort_key, id, missing_receipts,
	alerts, list_json) WHERE alerts & 1 <> 0;
-- version 27
-- A batch of expenses (POST /v1/clients/{id}/expenses) moves its client's
-- counters once, not once an expense. Each change of missing_receipts or
-- export_ready writes the client's row again into every index that
-- carries the list's row (six, and client_rows): a batch of 1,000 wrote
-- it about 500 times, and inserted at half the rate it does without
-- those indexes. While a batch holds its client's row here (inside its
-- own transaction, so that no one else ever sees one), the expenses'
-- triggers add to that row instead of the client's, and the batch adds
-- it to the client when its expenses are in (common/sqlite/expense.c),
-- with the oldest missing receipt read again from its index when a
-- missing one came, changed or left. client_months is narrow: its
-- triggers stay as they are.
CREATE TABLE expense_batches (
	client_id	 INTEGER PRIMARY KEY,
	missing_receipts INTEGER NOT NULL DEFAULT 0,
	export_ready	 INTEGER NOT NULL DEFAULT 0,
	oldest_changed	 INTEGER NOT NULL DEFAULT 0
);
DROP TRIGGER expenses_insert;
DROP TRIGGER expenses_update;
DROP TRIGGER expenses_delete;
DROP TRIGGER clients_oldest_missing_insert;
DROP TRIGGER clients_oldest_missing_update;
DROP TRIGGER clients_oldest_missing_delete;
CREATE TRIGGER expenses_insert AFTER INSERT ON expenses
WHEN NOT EXISTS (SELECT 1 FROM expense_batches
    WHERE client_id = new.client_id)
BEGIN
	UPDATE clients SET
	    missing_receipts = missing_receipts +
	    (new.receipt_status = 'missing'),
	    export_ready = export_ready + (new.export_status = 'ready')
	    WHERE id = new.client_id AND (new.receipt_status = 'missing' OR
	    new.export_status = 'ready');
	UPDATE clients SET oldest_missing_at = new.spent_at
	    WHERE id = new.client_id AND new.receipt_status = 'missing' AND
	    (oldest_missing_at IS NULL OR oldest_missing_at > new.spent_at);
END;
CREATE TRIGGER expenses_update AFTER UPDATE OF receipt_status,
    export_status, spent_at ON expenses
WHEN (old.receipt_status <> new.receipt_status OR
    old.export_status <> new.export_status OR
    old.spent_at <> new.spent_at) AND
    NOT EXISTS (SELECT 1 FROM expense_batches
    WHERE client_id = new.client_id)
BEGIN
	UPDATE clients SET
	    missing_receipts = missing_receipts -
	    (old.receipt_status = 'missing') +
	    (new.receipt_status = 'missing'),
	    export_ready = export_ready - (old.export_status = 'ready') +
	    (new.export_status = 'ready')
	    WHERE id = new.client_id AND
	    (old.receipt_status <> new.receipt_status OR
	    old.export_status <> new.export_status);
	UPDATE clients SET oldest_missing_at = (SELECT min(spent_at)
	    FROM expenses WHERE client_id = new.client_id AND
	    receipt_status = 'missing') WHERE id = new.client_id AND
	    (old.receipt_status = 'missing' OR
	    new.receipt_status = 'missing') AND
	    (old.receipt_status <> new.receipt_status OR
	    old.spent_at <> new.spent_at);
END;
CREATE TRIGGER expenses_delete AFTER DELETE ON expenses
WHEN NOT EXISTS (SELECT 1 FROM expense_batches
    WHERE client_id = old.client_id)
BEGIN
	UPDATE clients SET
	    missing_receipts = missing_receipts -
	    (old.receipt_status = 'missing'),
	    export_ready = export_ready - (old.export_status = 'ready')
	    WHERE id = old.client_id;
	UPDATE clients SET oldest_missing_at = (SELECT min(spent_at)
	    FROM expenses WHERE client_id = old.client_id AND
	    receipt_status = 'missing') WHERE id = old.client_id AND
	    old.receipt_status = 'missing';
END;
-- In a batch: the same changes, kept for its end.
CREATE TRIGGER expense_batches_insert AFTER INSERT ON expenses
WHEN EXISTS (SELECT 1 FROM expense_batches WHERE client_id = new.client_id)
BEGIN
	UPDATE expense_batches SET
	    missing_receipts = missing_receipts +
	    (new.receipt_status = 'missing'),
	    export_ready = export_ready + (new.export_status = 'ready'),
	    oldest_changed = oldest_changed OR new.receipt_status = 'missing'
	    WHERE client_id = new.client_id;
END;
CREATE TRIGGER expense_batches_update AFTER UPDATE OF receipt_status,
    export_status, spent_at ON expenses
WHEN EXISTS (SELECT 1 FROM expense_batches WHERE client_id = new.client_id)
BEGIN
	UPDATE expense_batches SET
	    missing_receipts = missing_receipts -
	    (old.receipt_status = 'missing') +
	    (new.receipt_status = 'missing'),
	    export_ready = export_ready - (old.export_status = 'ready') +
	    (new.export_status = 'ready'),
	    oldest_changed = oldest_changed OR
	    ((old.receipt_status = 'missing' OR
	    new.receipt_status = 'missing') AND
	    (old.receipt_status <> new.receipt_status OR
	    old.spent_at <> new.spent_at))
	    WHERE client_id = new.client_id;
END;
CREATE TRIGGER expense_batches_delete AFTER DELETE ON expenses
WHEN EXISTS (SELECT 1 FROM expense_batches WHERE client_id = old.client_id)
BEGIN
	UPDATE expense_batches SET
	    missing_receipts = missing_receipts -
	    (old.receipt_status = 'missing'),
	    export_ready = export_ready - (old.export_status = 'ready'),
	    oldest_changed = oldest_changed OR old.receipt_status = 'missing'
	    WHERE client_id = old.client_id;
END;
