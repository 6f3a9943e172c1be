-- readers.lua — report this instance's reader count for a blog and return
-- the total across instances that reported within the last ARGV[3] ms.
-- KEYS[1] readers hash lb:blog:<id>:readers (field: instance id)
-- ARGV[1] instance id   ARGV[2] reader count   ARGV[3] freshness in ms
-- Reply: the approximate total (integer). Stale fields are removed.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. now)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
local all = redis.call('HGETALL', KEYS[1])
local total = 0
for i = 1, #all, 2 do
  local n, at = string.match(all[i + 1], '^(%d+):(%d+)$')
  if n and now - tonumber(at) <= tonumber(ARGV[3]) then
    total = total + tonumber(n)
  else
    redis.call('HDEL', KEYS[1], all[i])
  end
end
return total
