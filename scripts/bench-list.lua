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
-- done() prints one line the benchmark parses:
--   bench-list: responses=N bad=N empty=N walks=N pages=N
-- bad counts answers other than 200, empty counts 200s without a row.

local queue, head, tail = {}, 1, 0
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
	local sep = "?"
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

function request()
	if head <= tail then
		local c = queue[head]
		queue[head] = nil
		head = head + 1
		return wrk.format(nil, prefix .. c)
	end
	walks = walks + 1
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
		tail = tail + 1
		queue[tail] = escape(c)
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
