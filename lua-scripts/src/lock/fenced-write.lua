-- Write fields of a fenced resource only if the writer's fencing token is at least
-- the highest token that wrote the resource before, and record the token.
-- KEYS[1] resourceKey: hash of the resource's fields plus the highest fencing token that wrote it
-- ARGV[1] tokenField: the hash field that records the highest fencing token (e.g. "_fence")
-- ARGV[2] fencingToken: the writer's fencing token (a non-negative integer)
-- ARGV[3] ttlMs: TTL set on the resource after the write; 0 keeps its current expiry
-- ARGV[4...] fieldsAndValues: field1, value1, field2, value2, ... (may be empty: only records the token)
-- Reply: { 1, fencingToken } written; { 0, highestToken } rejected (a newer holder wrote already)
local resource_key = KEYS[1]
local token_field = ARGV[1]
local token = tonumber(ARGV[2])
local ttl_ms = tonumber(ARGV[3])

if not token or token < 0 or token ~= math.floor(token) then
  return redis.error_reply('ERR lock/fenced-write: fencingToken must be a non-negative integer')
end
if not ttl_ms or ttl_ms < 0 then
  return redis.error_reply('ERR lock/fenced-write: ttlMs must be a non-negative integer')
end
if (#ARGV - 3) % 2 ~= 0 then
  return redis.error_reply('ERR lock/fenced-write: fieldsAndValues must come in pairs')
end

local args = { resource_key, token_field, string.format('%.0f', token) }
for i = 4, #ARGV, 2 do
  if ARGV[i] == token_field then
    return redis.error_reply('ERR lock/fenced-write: a field may not be named like tokenField')
  end
  args[#args + 1] = ARGV[i]
  args[#args + 1] = ARGV[i + 1]
end

local highest = tonumber(redis.call('HGET', resource_key, token_field) or '-1') or -1
if token < highest then
  return { 0, highest }
end
redis.call('HSET', unpack(args))
if ttl_ms > 0 then
  redis.call('PEXPIRE', resource_key, ttl_ms)
end
return { 1, token }
