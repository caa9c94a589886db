-- version 6
-- A search's matches in the list's order, straight from the trigram index.
-- Each client has a list rank that orders like (sort_key, id) within its
-- firm and status, and the index is keyed by that rank, so a search walks
-- one rowid range of it in list order: no lookup per match to filter by
-- firm and status or to place a match. A rank is
--   partner id << 40 | status code << 36 | half << 35 | position,
-- (room for 8 million firms), all of a group's ranks in one half. A client goes half-way between its
-- neighbours (a fixed step past either end). When two neighbours touch,
-- the 32 clients on either side are spread evenly over the room between
-- the next ones out; when that room is short too, the whole group is
-- spread over the middle of its other half, so no new rank meets an old.
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
-- Covers a match's id, count and key: one seek places it. Its NULL
-- entries are the clients between two steps of a spread.
CREATE INDEX clients_by_rank
	ON clients (list_rank, missing_receipts, sort_key);

-- A bookkeeper's list by name reads the count from its index too, not
-- from the table, which is one more seek a row.
DROP INDEX assignments_by_name;
CREATE INDEX assignments_by_name
	ON assignments (user_id, status, sort_key, client_id,
	missing_receipts);

-- The bounds of a local spread, from its first step to its last.
CREATE TABLE client_rank_spread (
	lo		INTEGER NOT NULL,
	hi		INTEGER NOT NULL
);

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
-- moves below delete what the index holds.
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
	-- Local spread: the bounds are the ranks of the 33rd clients either
	-- side (the half's edge where there are fewer), and each of the up
	-- to 65 clients between them must get 256 or more of room.
	INSERT INTO client_rank_spread (lo, hi)
	    SELECT lo, hi FROM (SELECT coalesce(b, h) AS lo,
	    coalesce(a, h + 34359738368) AS hi, k FROM (SELECT b, a,
	    (coalesce(b, a) >> 35) << 35 AS h,
	    (SELECT count(*) FROM (SELECT 1 FROM clients
	    WHERE partner_id = new.partner_id AND status = new.status AND
	    (sort_key, id) < (new.sort_key, new.id) LIMIT 32)) +
	    (SELECT count(*) FROM (SELECT 1 FROM clients
	    WHERE partner_id = new.partner_id AND status = new.status AND
	    (sort_key, id) > (new.sort_key, new.id) LIMIT 32)) + 1 AS k
	    FROM (SELECT (SELECT list_rank FROM clients
	    WHERE partner_id = new.partner_id AND status = new.status AND
	    (sort_key, id) < (new.sort_key, new.id)
	    ORDER BY sort_key DESC, id DESC LIMIT 1 OFFSET 32) AS b,
	    (SELECT list_rank FROM clients
	    WHERE partner_id = new.partner_id AND status = new.status AND
	    (sort_key, id) > (new.sort_key, new.id)
	    ORDER BY sort_key, id LIMIT 1 OFFSET 32) AS a)))
	    WHERE lo IS NOT NULL AND (hi - lo) / (k + 1) >= 256 AND
	    (SELECT list_rank FROM clients WHERE id = new.id) IS NULL;
	-- Out of the index first, so that no rank is held twice in it: the
	-- clients ranked between the bounds, which are those 64.
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

