-- GET /token with an identity provider's access token as the docker password (Basic USER:token).
-- oidc-run.sh sets TOKENS (a file, one token per line, from OidcLoad), FIRST and LAST (the 1-based
-- line range this run may use), THREADS, USER_NAME, SERVICE and SCOPE. Thread i of n takes every
-- n-th token of the range, so no token is sent twice until a thread has used all of its share; the
-- summary prints how often a thread started its share again (any wrap turns "cold" into "cached").
local service = os.getenv("SERVICE") or "registry.bench:5000"
local scope = os.getenv("SCOPE") or "repository:team-a/app:pull"
local user = os.getenv("USER_NAME") or "bench"
local path = "/token?service=" .. service .. "&scope=" .. scope

local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(data)
  local out = {}
  for i = 1, #data, 3 do
    local a, b, c = data:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local c1 = math.floor(n / 262144) % 64
    local c2 = math.floor(n / 4096) % 64
    local c3 = math.floor(n / 64) % 64
    local c4 = n % 64
    out[#out + 1] = b64chars:sub(c1 + 1, c1 + 1) .. b64chars:sub(c2 + 1, c2 + 1)
        .. (b and b64chars:sub(c3 + 1, c3 + 1) or "=") .. (c and b64chars:sub(c4 + 1, c4 + 1) or "=")
  end
  return table.concat(out)
end

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local requests_of_thread = {}
local position = 0
wraps = 0
sent = 0

function init(args)
  local n = tonumber(os.getenv("THREADS") or "1")
  local first = tonumber(os.getenv("FIRST") or "1")
  local last = tonumber(os.getenv("LAST") or "1000000000")
  local file = assert(io.open(assert(os.getenv("TOKENS"), "TOKENS is not set"), "r"))
  local in_range = {}
  local line_no = 0
  for token in file:lines() do
    line_no = line_no + 1
    if line_no >= first and line_no <= last then
      in_range[#in_range + 1] = token
    end
  end
  file:close()
  -- Fewer tokens than threads (the cached mode's single token): every thread sends all of them.
  local stride = #in_range < n and 1 or n
  local start = #in_range < n and 1 or id + 1
  for i = start, #in_range, stride do
    requests_of_thread[#requests_of_thread + 1] = wrk.format("GET", path,
        { ["Authorization"] = "Basic " .. base64(user .. ":" .. in_range[i]) })
  end
  assert(#requests_of_thread > 0, "no tokens for thread " .. id)
end

function request()
  position = position + 1
  if position > #requests_of_thread then
    position = 1
    wraps = wraps + 1
  end
  sent = sent + 1
  return requests_of_thread[position]
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("thread %d: %d requests built, %d restarts of its token share\n",
        thread:get("id"), thread:get("sent"), thread:get("wraps")))
  end
end
