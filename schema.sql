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
