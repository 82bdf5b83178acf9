-- Release the lock if the caller still owns it, and announce the release to waiters.
-- KEYS[1] lockKey: string, the owner token of the current holder
-- ARGV[1] owner: the holder's owner token
-- ARGV[2] channel: the release channel (named after a key of the lock's hash slot)
-- ARGV[3] publishCommand: "PUBLISH" (standalone, sentinel) or "SPUBLISH" (cluster: sharded pub/sub)
-- Reply: 1 released and announced (an empty message); 0 not the owner (lease expired or taken over; nothing changed)
local lock_key = KEYS[1]
local owner = ARGV[1]
local channel = ARGV[2]
local publish_command = ARGV[3]

if publish_command ~= 'PUBLISH' and publish_command ~= 'SPUBLISH' then
  return redis.error_reply('ERR lock/release: publishCommand must be PUBLISH or SPUBLISH')
end

if redis.call('GET', lock_key) ~= owner then
  return 0
end
redis.call('DEL', lock_key)
redis.call(publish_command, channel, '')
return 1
