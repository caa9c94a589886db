-- wrk script for the benchmark of one client's routes: the row menu's
-- "See details", the notification preference (read or set), "Notify
-- accountants" and the spend platform's batch of expenses. Each request goes to a random (token, client) pair of a
-- list that scripts/bench-report.py prepare wrote, so the load is spread
-- over many users and clients, not one hot row.
--
--   wrk ... -s scripts/bench-routes.lua URL -- MODE PAIRS NONCE
--
-- MODE: details      GET  /v1/clients/{id}
--       pref-get     GET  /v1/clients/{id}/notification-preference
--       pref-put     PUT  the same, each time a value other than the one
--                    this script last sent for that pair (a real change)
--       notify       POST /v1/clients/{id}/notify-accountants, tasks and
--                    comment taking turns, a fresh Idempotency-Key each
--       batch        POST /v1/clients/{id}/expenses, a batch of 1,000
--                    new expenses (external ids unique to the run)
-- PAIRS: lines "T<tab>token" (the tokens, numbered from 1), then lines
--        "P<tab>token number<tab>client id".
-- NONCE: unique to this wrk run; it keeps Idempotency-Keys unique across
--        runs on the same database.
--
-- The same requests go to the bare baseline server, which answers them
-- all with 200. done() prints one line the benchmark parses:
--   bench-routes: mode=M responses=N bad=N limited=N server_errors=N
-- bad counts every answer outside 2xx; limited the 429s among them,
-- server_errors the 5xx.

local threads = {}
local n_threads = 0
-- Globals, so that done() can read them from each thread with get().
responses, bad, limited, server_errors = 0, 0, 0, 0
mode = nil

local PREFS = {
	'{"email":true,"frequency":"daily"}',
	'{"email":true,"frequency":"weekly"}',
	'{"email":true,"frequency":"monthly"}',
	'{"email":false,"frequency":"weekly"}',
}
local NOTES = {
	'{"tasks":["missing_receipts"],"comment":"Kvitton före fredag, tack."}',
	'{"tasks":["missing_receipts","export_ready"]}',
	'{"tasks":["balance"],"comment":"Saldot stämmer inte med banken."}',
	'{"tasks":["missing_receipts","export_ready","balance"],' ..
	    '"comment":"Månadsavslut: se över allt innan torsdag."}',
}

local MERCHANTS = { "SJ", "Clas Ohlson", "ICA Maxi", "Circle K",
	"Espresso House", "Åhléns", "Søstrene Grene", "Kjell & Company" }
local RECEIPTS = { "attached", "attached", "attached", "missing",
	"not_required" }
local EXPORTS = { "pending", "ready", "exported", "exported" }
local BATCH = 1000

local nonce
local tokens, pairs_tok, pairs_id = {}, {}, {}
local last_pref = {}
local sent = 0

function setup(thread)
	n_threads = n_threads + 1
	thread:set("tid", n_threads)
	table.insert(threads, thread)
end

function init(args)
	mode, nonce = args[1], args[3]
	local path = args[2]
	if mode ~= "details" and mode ~= "pref-get" and mode ~= "pref-put" and
	    mode ~= "notify" and mode ~= "batch" then
		error("bench-routes.lua: unknown mode " .. tostring(mode))
	end
	local f = assert(io.open(path, "r"))
	for line in f:lines() do
		local kind, a, b = line:match("^(%u)\t([^\t]+)\t?(%d*)$")
		if kind == "T" then
			tokens[#tokens + 1] = "Bearer " .. a
		elseif kind == "P" then
			pairs_tok[#pairs_tok + 1] = tonumber(a)
			pairs_id[#pairs_id + 1] = b
		end
	end
	f:close()
	if #pairs_id == 0 then
		error("bench-routes.lua: no pairs in " .. path)
	end
	nonce = nonce or tostring(os.time())
	math.randomseed(os.time() * 131 + (tid or 0) * 7919)
end

-- 1,000 expenses as the spend platform pushes them, all new: their
-- external ids carry the run's nonce, the thread and the request.
local function batch_body()
	local e = {}
	local prefix = "bench-" .. nonce .. "-" .. (tid or 0) .. "-" .. sent ..
	    "-"
	for k = 1, BATCH do
		e[k] = string.format('{"external_id":"%s%d",' ..
		    '"amount_minor":%d,"currency":"SEK",' ..
		    '"spent_at":"2026-%02d-%02dT%02d:%02d:00Z",' ..
		    '"merchant":"%s","receipt_status":"%s",' ..
		    '"export_status":"%s"}', prefix, k,
		    math.random(500, 2500000), math.random(12),
		    math.random(28), math.random(7, 21), math.random(0, 59),
		    MERCHANTS[math.random(#MERCHANTS)],
		    RECEIPTS[math.random(#RECEIPTS)],
		    EXPORTS[math.random(#EXPORTS)])
	end
	return '{"expenses":[' .. table.concat(e, ",") .. ']}'
end

function request()
	local i = math.random(#pairs_id)
	local id = pairs_id[i]
	local h = { Authorization = tokens[pairs_tok[i]] }
	sent = sent + 1
	if mode == "details" then
		return wrk.format("GET", "/v1/clients/" .. id, h)
	elseif mode == "pref-get" then
		return wrk.format("GET", "/v1/clients/" .. id ..
		    "/notification-preference", h)
	end
	h["Content-Type"] = "application/json"
	if mode == "pref-put" then
		local v = (last_pref[i] or math.random(#PREFS)) % #PREFS + 1
		last_pref[i] = v
		return wrk.format("PUT", "/v1/clients/" .. id ..
		    "/notification-preference", h, PREFS[v])
	end
	if mode == "batch" then
		return wrk.format("POST", "/v1/clients/" .. id .. "/expenses",
		    h, batch_body())
	end
	h["Idempotency-Key"] = "bench-" .. nonce .. "-" .. (tid or 0) .. "-" ..
	    sent
	return wrk.format("POST", "/v1/clients/" .. id ..
	    "/notify-accountants", h, NOTES[sent % #NOTES + 1])
end

-- Cheap on purpose, as wrk shares the machine with the server.
function response(status, headers, body)
	responses = responses + 1
	if status < 200 or status > 299 then
		bad = bad + 1
		if status == 429 then
			limited = limited + 1
		elseif status >= 500 then
			server_errors = server_errors + 1
		end
	end
end

function done(summary, latency, requests)
	local r, b, l, s = 0, 0, 0, 0
	for _, t in ipairs(threads) do
		r = r + t:get("responses")
		b = b + t:get("bad")
		l = l + t:get("limited")
		s = s + t:get("server_errors")
	end
	io.write(string.format(
	    "bench-routes: mode=%s responses=%d bad=%d limited=%d " ..
	    "server_errors=%d\n", tostring(threads[1]:get("mode")), r, b, l, s))
end
