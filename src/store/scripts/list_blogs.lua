-- list_blogs.lua — every blog's hash, newest first, in one round trip.
-- KEYS[1] index zset lb:blogs
-- ARGV[1] key prefix of blog hashes ("lb:blog:")
-- Reply: an array of HGETALL arrays (flat field/value lists).
-- Reads keys it derives from the index, so it assumes a single Redis (no
-- cluster), as the rest of liveblog does.
local ids = redis.call('ZREVRANGE', KEYS[1], 0, -1)
local out = {}
for i, id in ipairs(ids) do
  out[i] = redis.call('HGETALL', ARGV[1] .. id)
end
return out
