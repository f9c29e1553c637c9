-- wrk script for bench_intake.py: each request registers a new member with name, phone and a
-- NIK no other request of the run uses (so that sealing, keyed hashing and the duplicate check
-- are all in the path). Argument: a run number of up to 6 digits that keeps NIKs apart across runs.
local sectors = {"metal", "chemical", "automotive", "cement", "garment_textile"}
local genders = {"female", "male"}
local run = 0
local sent = 0

function init(args)
  run = tonumber(args[1] or "0")
  -- wrk.format uses the headers it is given instead of -H's, so add to those.
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  sent = sent + 1
  local i = sent
  local body = string.format(
    '{"federation":"FSPMI","sector":"%s","workplace_id":"wp-bench-%03d","region_code":"32.16",' ..
    '"employment_status":"permanent","gender":"%s","age_band":"25_34","recruited_on":"2026-03-14",' ..
    '"full_name":"Pekerja Bench %d","phone":"+62812%08d","nik":"32%06d%08d"}',
    sectors[i % 5 + 1], i % 200, genders[i % 2 + 1], i, i, run, i)
  return wrk.format("POST", "/api/v1/members", nil, body)
end
