-- wrk script for the Clients list benchmark: every request either starts a
-- walk at the first page (the URL given to wrk) or continues one with the
-- next_cursor of an earlier response, so the load pages with cursors
-- through the whole list, as a user scrolling the Clients page does.
--
-- wrk calls request() for a connection right after response() for that
-- connection's previous answer, but gives neither the connection: the
-- cursors go through a first-in first-out queue per thread, so each open
-- walk continues on the next request and the number of walks in flight
-- stays at most the number of connections.
--
-- With BENCH_PACE_MS set, each connection waits that many milliseconds
-- between an answer and its next request: a fixed, lower offered load,
-- where latency is the server's and not the queue's.
--
-- With BENCH_QUERIES naming a file of searches (one a line, URL-escaped),
-- each walk searches for the next of them in turn (q=…), as many people
-- typing into the search box at once. A continued walk must keep its
-- search, and response() is not told which request it answers: each
-- request names its search's line in X-Request-Id, which the server
-- echoes.
--
-- done() prints one line the benchmark parses:
--   bench-list: responses=N bad=N empty=N walks=N pages=N
-- bad counts answers other than 200, empty counts 200s without a row.

local queue, head, tail = {}, 1, 0
local queries, nq, qheaders = {}, 0, {}
local qfile = os.getenv("BENCH_QUERIES")
if qfile and qfile ~= "" then
	for line in io.lines(qfile) do
		if line ~= "" then
			queries[#queries + 1] = line
		end
	end
end
local threads = {}
-- Globals, so that done() can read them from each thread with get().
responses, bad, empty, walks = 0, 0, 0, 0

local function escape(s)
	return (s:gsub("[^%w%-%._~]", function(c)
		return string.format("%%%02X", string.byte(c))
	end))
end

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	sep = "?"
	if wrk.path:find("?", 1, true) then
		sep = "&"
	end
	first = wrk.path
	prefix = wrk.path .. sep .. "cursor="
end

local pace = tonumber(os.getenv("BENCH_PACE_MS") or "")
if pace and pace > 0 then
	function delay()
		return pace
	end
end

-- The request of search i (its path, then the cursor if any): the
-- command line's headers and X-Request-Id q<i>.
local function search_request(i, cursor)
	local h = qheaders[i]
	if not h then
		h = {}
		for k, v in pairs(wrk.headers) do
			h[k] = v
		end
		h["X-Request-Id"] = "q" .. i
		qheaders[i] = h
	end
	local path = first .. sep .. "q=" .. queries[i]
	if cursor then
		path = path .. "&cursor=" .. cursor
	end
	return wrk.format(nil, path, h)
end

function request()
	if head <= tail then
		local c = queue[head]
		queue[head] = nil
		head = head + 1
		if c.q then
			return search_request(c.q, c.cursor)
		end
		return wrk.format(nil, prefix .. c.cursor)
	end
	walks = walks + 1
	if #queries > 0 then
		nq = nq % #queries + 1
		return search_request(nq, nil)
	end
	return wrk.format(nil, first)
end

-- Cheap on purpose, as wrk shares the machine with the server: the rows
-- open the document and the cursor closes it.
function response(status, headers, body)
	responses = responses + 1
	if status ~= 200 then
		bad = bad + 1
		return
	end
	if body:sub(1, 10) ~= '{"data":[{' then
		empty = empty + 1
	end
	local c = body:match('"next_cursor":"([^"]+)"}$', -512)
	if c then
		local q = nil
		if #queries > 0 then
			q = tonumber((headers["X-Request-Id"] or ""):match("^q(%d+)$"))
			if not q then
				bad = bad + 1
				return
			end
		end
		tail = tail + 1
		queue[tail] = { cursor = escape(c), q = q }
	end
end

function done(summary, latency, requests)
	local r, b, e, w = 0, 0, 0, 0
	for _, t in ipairs(threads) do
		r = r + t:get("responses")
		b = b + t:get("bad")
		e = e + t:get("empty")
		w = w + t:get("walks")
	end
	io.write(string.format(
	    "bench-list: responses=%d bad=%d empty=%d walks=%d pages=%.1f\n",
	    r, b, e, w, w > 0 and r / w or 0))
end
