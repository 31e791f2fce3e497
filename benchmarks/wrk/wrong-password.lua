-- A password-guessing flood: POST /token password grants for random users among TokenServerLoad's
-- flood-0..flood-9999, each with a password never sent before, so every request misses the credential
-- cache and costs a full bcrypt run (random users keep the per-user failure throttle out of the way).
-- flood-run.sh sets SERVICE.
local service = os.getenv("SERVICE") or "registry.bench:5000"
local threads = 0
local counter = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
end

request = function()
  counter = counter + 1
  local body = "grant_type=password&service=" .. service .. "&username=flood-" .. math.random(0, 9999)
      .. "&password=guess-" .. id .. "-" .. counter
  return wrk.format("POST", "/token", {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
