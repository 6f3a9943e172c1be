-- entries_page.lua — a blog's current entries older than a seq, newest
-- first: the "Show older updates" of long blogs.
-- KEYS[1] blog hash   KEYS[2] entries hash   KEYS[3] order zset (current
-- entries by "<padded created seq> <id>": append.lua)
-- ARGV[1] before: a seq, exclusive ('' for the newest)
-- ARGV[2] how many (limit + 1 are read: one more tells whether more exist)
-- Reply: {pinned id or '', {values newest first}}
-- KEYS[4] key-events zset (built with the order zset, below)
-- Errors: NOTFOUND blog
-- A blog written before the zsets existed (no 'indexed' field) has them
-- built here, once, as page_state.lua does (the same lines: keep them alike).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('NOTFOUND blog')
end
local function pad(seq)
  local ms, n = string.match(seq, '^(%d+)-(%d+)$')
  return string.rep('0', 20 - #ms) .. ms .. '-' .. string.rep('0', 20 - #n) .. n
end
if redis.call('HGET', KEYS[1], 'indexed') ~= '1' then
  redis.call('DEL', KEYS[3], KEYS[4])
  local all = redis.call('HGETALL', KEYS[2])
  for i = 1, #all, 2 do
    local v = all[i + 1]
    local sp1 = string.find(v, ' ', 1, true)
    local sp2 = string.find(v, ' ', sp1 + 1, true)
    local e = cjson.decode(string.sub(v, sp2 + 1))
    if not e.deleted and not e.redacted then
      local m = pad(string.sub(v, 1, sp1 - 1)) .. ' ' .. all[i]
      redis.call('ZADD', KEYS[3], 0, m)
      if e.key then redis.call('ZADD', KEYS[4], 0, m) end
    end
  end
  redis.call('HSET', KEYS[1], 'indexed', '1')
end
local top = '+'
if ARGV[1] ~= '' then top = '(' .. pad(ARGV[1]) end
local members = redis.call('ZREVRANGEBYLEX', KEYS[3], top, '-', 'LIMIT', 0,
  tonumber(ARGV[2]))
local out = {}
if #members > 0 then
  local ids = {}
  for i, m in ipairs(members) do
    ids[i] = string.sub(m, string.find(m, ' ', 1, true) + 1)
  end
  out = redis.call('HMGET', KEYS[2], unpack(ids))
end
return {redis.call('HGET', KEYS[1], 'pinned') or '', out}
