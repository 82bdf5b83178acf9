-- Write one global response cache entry (the cache half of recordResponse on a
-- cluster, where the entry lives in another slot than the session). Writing the
-- same entry again is harmless, so a retried recordResponse may repeat it.
-- KEYS[1] entry: hash { response, cachedAt, hits }
-- ARGV[1] response: the JSON-encoded response
-- ARGV[2] cacheTtlMs: TTL of the entry (0 = no expiry)
-- Reply: integer, the server time the entry was written at (ms)
--!include include/time.lua
--!include include/atomic-ops-cache.lua
local now = server_time_ms()
cache_put(KEYS[1], ARGV[1], tonumber(ARGV[2]), now)
return now
