-- page_state.lua — what a page of a blog shows, in one atomic read: the
-- blog, its newest current entries, its key events, its pinned entry and
-- (for an entry's own page) one more entry; never the whole entries hash.
-- KEYS[1] blog hash   KEYS[2] entries hash (values "<created seq> <event
-- seq> <payload>")   KEYS[3] order zset   KEYS[4] key-events zset (both
-- of current entries by "<padded created seq> <id>": append.lua)
-- ARGV[1] N: how many of the newest entries (N + 1 are read: one more
--         tells whether older ones exist)
-- ARGV[2] K: how many of the newest key events (0: none)
-- ARGV[3] an entry id to read too ('' none)
-- Reply: {HGETALL blog, {newest values, newest first}, {key values},
--         pinned value or '', that entry's value or ''}
-- Errors: NOTFOUND blog
-- A blog written before the zsets existed (no 'indexed' field) has them
-- built here, once, from
-- its entries hash (so this read may write; it stays one atomic step;
-- entries_page.lua has the same lines: keep them alike).
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
local function values(members)
  if #members == 0 then return {} end
  local ids = {}
  for i, m in ipairs(members) do
    ids[i] = string.sub(m, string.find(m, ' ', 1, true) + 1)
  end
  return redis.call('HMGET', KEYS[2], unpack(ids))
end
local newest = redis.call('ZREVRANGEBYLEX', KEYS[3], '+', '-', 'LIMIT', 0,
  tonumber(ARGV[1]) + 1)
local keys = {}
if tonumber(ARGV[2]) > 0 then
  keys = redis.call('ZREVRANGEBYLEX', KEYS[4], '+', '-', 'LIMIT', 0, tonumber(ARGV[2]))
end
local pinned = redis.call('HGET', KEYS[1], 'pinned')
local one = ''
if ARGV[3] ~= '' then one = redis.call('HGET', KEYS[2], ARGV[3]) or '' end
return {redis.call('HGETALL', KEYS[1]), values(newest), values(keys),
  pinned and redis.call('HGET', KEYS[2], pinned) or '', one}
