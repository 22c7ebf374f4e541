-- wrk script: cycle through a request list and print one JSON line of results.
--
--   wrk -t2 -c16 -d8s -s bench/lua/cycle.lua http://127.0.0.1:PORT -- LIST.tsv USER_AGENT 2
--
-- (the last argument repeats -t). LIST.tsv has one request a line: method, path, session cookie, form body, expected status (tab-separated).
-- Thread k of n takes lines k, k+n, k+2n, ... so no two threads send the same line; each thread moves to
-- its next line on every request, and counts a line sent again once its share ran out ("reused": a quiz
-- submission sent twice would be an idempotent no-op, so the runner reports it). A response with another
-- status below 400 than the expected one counts as "unexpected" (wrk itself counts statuses >= 400 and socket errors).

local threads = {}
local counter = 1

function setup(thread)
  thread:set("index", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

local requests = {}
local expected_status = 200
local position = 0
unexpected = 0
reused = 0
first_unexpected = ""

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

local function format(fields, agent)
  local headers = { ["User-Agent"] = agent, ["Accept-Language"] = "en" }
  if fields[3] ~= "" then headers["Cookie"] = "session=" .. fields[3] end
  local body = nil
  if fields[4] ~= "" then
    body = fields[4]
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  return wrk.format(fields[1], fields[2], headers, body)
end

function init(args)
  local path, agent = args[1], args[2]
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then table.insert(lines, line) end
  end
  local share, total = index, tonumber(args[3])  -- each thread has its own Lua state: told the count
  for n = share, #lines, total do
    table.insert(requests, format(split(lines[n]), agent))
  end
  if #requests == 0 then  -- fewer lines than threads (one page for everyone)
    table.insert(requests, format(split(lines[((share - 1) % #lines) + 1]), agent))
  end
  expected_status = tonumber(split(lines[1])[5])
end

function request()
  position = position + 1
  if position > #requests then
    reused = reused + 1
  end
  return requests[((position - 1) % #requests) + 1]
end

function response(status, headers, body)
  if status ~= expected_status and status < 400 then  -- wrk counts statuses >= 400 itself
    unexpected = unexpected + 1
    if first_unexpected == "" then
      first_unexpected = (tostring(status) .. " " .. tostring(headers["Location"] or "")):gsub('"', "'")
    end
  end
end

function done(summary, latency, requests_stats)
  local unexpected_total, reused_total, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    unexpected_total = unexpected_total + thread:get("unexpected")
    reused_total = reused_total + thread:get("reused")
    if first == "" then first = thread:get("first_unexpected") end
  end
  local e = summary.errors
  io.write(string.format(
    '\nBENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d, "unexpected": %d, "reused": %d, "first_unexpected": "%s", '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    unexpected_total, reused_total, first, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
