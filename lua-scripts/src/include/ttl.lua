-- Helper: set a millisecond TTL on every key in a list when ttl_ms > 0,
-- or remove expiry (PERSIST) when ttl_ms is 0 (pinned / no expiry).
-- Include with: --!include include/ttl.lua
local function apply_ttl_ms(keys, ttl_ms)
  for i = 1, #keys do
    if ttl_ms > 0 then
      redis.call('PEXPIRE', keys[i], ttl_ms)
    else
      redis.call('PERSIST', keys[i])
    end
  end
end
