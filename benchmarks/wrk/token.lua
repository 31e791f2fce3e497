-- GET /token as docker push asks for it: Basic credentials and one pull,push scope with ':' '/' ','
-- raw, as Jib sends them. The same credentials on every request, so all but the first are answered
-- from the credential cache. run.sh sets SERVICE, SCOPE and BASIC (base64 of user:password);
-- realm-vs-peers.sh also sets TOKEN_PATH, to send the same request to another server's endpoint.
local service = os.getenv("SERVICE") or "registry.bench:5000"
local scope = os.getenv("SCOPE") or "repository:team-a/app:pull,push"
local basic = os.getenv("BASIC") or "YmVuY2g6YmVuY2gtcGFzc3dvcmQ=" -- bench:bench-password
local path = os.getenv("TOKEN_PATH") or "/token"

wrk.method = "GET"
wrk.path = path .. "?service=" .. service .. "&scope=" .. scope
wrk.headers["Authorization"] = "Basic " .. basic
