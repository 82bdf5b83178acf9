-- Helpers of the shared-backend registry scripts. The registry of one tenant is
-- three keys under the tenant's shared hash tag (one cluster slot):
--   by_chain: HASH chain -> "<expiry>|<uuid>"
--   by_uuid:  HASH uuid  -> "<expiry>|<chain>"
--   expiry:   ZSET uuid  -> expiry
-- <expiry> is server ms, or "inf" for never; it is kept in the hash values so a
-- lookup reads one key, and in the ZSET so expired entries are found in order.
-- Invariant kept by every script:
--   by_chain[c] == e|u  <=>  by_uuid[u] == e|c  <=>  expiry[u] == e
-- Include with: --!include include/shared-backend-registry.lua
--!include include/time.lua
--!include include/shared-backend-index.lua

-- Splits a hash value "<expiry>|<id>" (the id may itself contain "|").
local function sb_registry_parse(value)
  local bar = string.find(value, '|', 1, true)
  return string.sub(value, 1, bar - 1), string.sub(value, bar + 1)
end

-- Removes one mapping (both directions and the index entry) by uuid.
-- Returns the chain it pointed to, or false when the uuid was unknown.
local function sb_registry_remove(by_chain, by_uuid, expiry, uuid)
  local value = redis.call('HGET', by_uuid, uuid)
  local chain = false
  if value then
    local _, c = sb_registry_parse(value)
    chain = c
    redis.call('HDEL', by_uuid, uuid)
    local forward = redis.call('HGET', by_chain, chain)
    if forward then
      local _, u = sb_registry_parse(forward)
      if u == uuid then
        redis.call('HDEL', by_chain, chain)
      end
    end
  end
  redis.call('ZREM', expiry, uuid)
  return chain
end

-- Removes up to limit expired mappings, oldest first. Returns how many.
local function sb_registry_gc(by_chain, by_uuid, expiry, now, limit)
  local expired = redis.call('ZRANGE', expiry, '-inf', '(' .. string.format('%d', now), 'BYSCORE', 'LIMIT', 0, limit)
  for i = 1, #expired do
    sb_registry_remove(by_chain, by_uuid, expiry, expired[i])
  end
  return #expired
end

-- The id a hash value points to while it is alive at the server time t (a TIME
-- reply, so a script that needs the time anyway reads the clock once), or false.
-- In a reply array, false goes out as a nil bulk without ending the array: the
-- scripts reply in the default RESP2 conversion (they never call redis.setresp(3),
-- which would turn it into a boolean).
local function sb_registry_live_at(value, t)
  if not value then
    return false
  end
  local score, id = sb_registry_parse(value)
  if score ~= 'inf' and score + 1 <= t[1] * 1000 + t[2] / 1000 then
    return false
  end
  return id
end
