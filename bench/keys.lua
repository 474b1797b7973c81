-- Many keys for bench/check.sh: wrk -t<threads> ... -s bench/keys.lua <url>, with environment
--   BENCH_DIR        the folder of this script (for report.lua)
--   BENCH_KEYS_FILE  the keys, one a line
--   BENCH_THREADS    the -t given to wrk
--   BENCH_MODE       random (default): every request carries a key drawn at random from the file;
--                    pass: the threads share the file out and each sends its keys once, in order,
--                    then stops and creates <BENCH_PASS_DIR>/done-<thread> (wrk itself only ends
--                    when -d is over or on SIGINT, so the caller watches for those files). It is a
--                    cache warm-up: connections already waiting may repeat a few keys.
-- Requests are formatted once, at start, so the per-request cost in wrk stays a table lookup.
-- The key is sent in the header named by env BENCH_KEY_HEADER (default api-key).

local report = os.getenv("BENCH_DIR") .. "/report.lua"
dofile(report)
local summarise = done

local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local requests = {}
local n = 0
local mode = os.getenv("BENCH_MODE") or "random"
local next_index = 0
local answered = 0
bad = 0

function init(args)
  local file = os.getenv("BENCH_KEYS_FILE")
  local nthreads = tonumber(os.getenv("BENCH_THREADS"))
  local header = os.getenv("BENCH_KEY_HEADER") or "api-key"
  local i = 0
  for key in io.lines(file) do
    if mode == "random" or i % nthreads == tid then
      n = n + 1
      requests[n] = wrk.format(nil, nil, { [header] = key })
    end
    i = i + 1
  end
  math.randomseed(os.time() * 31 + tid)
end

function request()
  if mode == "random" then
    return requests[math.random(n)]
  end
  next_index = next_index % n + 1
  return requests[next_index]
end

if mode == "pass" then
  -- Only the pass defines response(): it stops the thread once it has had all its answers.
  function response(status, headers, body)
    answered = answered + 1
    if status ~= 200 then
      bad = bad + 1
    end
    if answered == n then
      io.open(os.getenv("BENCH_PASS_DIR") .. "/done-" .. tid, "w"):close()
      wrk.thread:stop()
    end
  end
end

function done(summary, latency, requests)
  summarise(summary, latency, requests)
  local not200 = 0
  for _, thread in ipairs(threads) do
    not200 = not200 + (thread:get("bad") or 0)
  end
  io.write(string.format("BENCH_PASS not200=%d\n", not200))
end
