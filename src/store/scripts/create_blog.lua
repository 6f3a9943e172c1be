-- create_blog.lua — create a blog unless its id is taken.
-- KEYS[1] blog hash lb:blog:<id>   KEYS[2] index zset lb:blogs
-- KEYS[3] feed stream lb:feed
-- ARGV[1] id   ARGV[2] title   ARGV[3] editor token hash (hex SHA-256)
-- ARGV[4] feed MAXLEN   ARGV[5] lang (a canonical BCP 47 tag)
-- indexed=1: its entries are kept in the order and key-events zsets (append.lua)
-- Reply: created_ms (integer, Redis' clock).   Errors: CONFLICT
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.error_reply('CONFLICT')
end
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'title', ARGV[2], 'state', 'live',
  'created_ms', ms, 'token', ARGV[3], 'count', 0, 'last_seq', '0-0',
  'lang', ARGV[5], 'indexed', '1')
redis.call('ZADD', KEYS[2], ms, ARGV[1])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*',
  'b', ARGV[1], 't', 'created', 's', '0-0', 'p', '0-0', 'd', '')
return ms
