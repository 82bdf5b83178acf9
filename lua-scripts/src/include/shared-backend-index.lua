-- Helpers of the shared-backend scripts: expiry-scored index ZSETs.
-- A member's score is its expiry time in server milliseconds, or +inf
-- ("inf") when it never expires. A member is alive while now <= score
-- (Redis' own rule for PEXPIREAT keys), expired once now > score.
-- Include with: --!include include/shared-backend-index.lua

-- The ZADD score for an entry written now with ttl_ms (0 = never expires).
local function sb_expiry_score(now, ttl_ms)
  if ttl_ms > 0 then
    return string.format('%d', now + ttl_ms)
  end
  return 'inf'
end

-- True when a ZSCORE reply (string, or false for a missing member) is alive at now.
local function sb_alive(score, now)
  if not score then
    return false
  end
  if score == 'inf' or score == '+inf' then
    return true
  end
  return tonumber(score) >= now
end

-- Removes up to limit expired members (the lowest scores) of an index ZSET.
-- Returns how many were removed. O(log N + removed).
local function sb_gc_index(index_key, now, limit)
  local n = redis.call('ZCOUNT', index_key, '-inf', '(' .. string.format('%d', now))
  if n == 0 then
    return 0
  end
  if n > limit then
    n = limit
  end
  redis.call('ZREMRANGEBYRANK', index_key, 0, n - 1)
  return n
end

-- Gives every key in keys the expiry of the index's latest member, so a tenant's
-- structures vanish on their own once all their entries have expired, even if
-- nobody writes again. An index holding a never-expiring member is persisted.
local function sb_expire_with_index(keys, index_key)
  local top = redis.call('ZRANGE', index_key, -1, -1, 'WITHSCORES')
  if #top == 0 then
    return
  end
  local score = top[2]
  for i = 1, #keys do
    if score == 'inf' or score == '+inf' then
      redis.call('PERSIST', keys[i])
    else
      redis.call('PEXPIREAT', keys[i], score)
    end
  end
end

-- Keeps keys (an index and the keys that belong with it) alive at least until
-- score, the expiry just written to index_key: persists them for "inf", and
-- otherwise pushes their expiry to score + slack_ms only when they would expire
-- before score, so most calls cost one PEXPIRETIME. Keys outlive their latest
-- entry by at most slack_ms.
local function sb_outlive(keys, index_key, score, slack_ms)
  local at = redis.call('PEXPIRETIME', index_key)
  if score == 'inf' then
    if at ~= -1 then
      for i = 1, #keys do
        redis.call('PERSIST', keys[i])
      end
    end
    return
  end
  if at == -1 then
    -- Persistent: it holds a never-expiring entry, or it was just created.
    sb_expire_with_index(keys, index_key)
    return
  end
  if at < tonumber(score) then
    local until_ms = string.format('%d', tonumber(score) + slack_ms)
    for i = 1, #keys do
      redis.call('PEXPIREAT', keys[i], until_ms)
    end
  end
end
