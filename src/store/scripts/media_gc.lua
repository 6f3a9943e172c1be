-- media_gc.lua — delete pictures of a blog that nothing else of the blog
-- uses: for redaction (the redacted entry's pictures go unless another
-- entry names them) and for removing a blog's pictures.
-- KEYS[1] the blog's pictures (hash: sha256 → meta JSON)
-- KEYS[2] the blog's log (stream)   KEYS[3] the blog's entries (hash)
-- KEYS[4] the feed stream (every instance tails it)
-- ARGV[1] blog id   ARGV[2] the prefix of a picture's keys ('lb:media:')
-- ARGV[3] an entry whose events and state do not count as uses: their
--         pictures are candidates ('' none); a redacted one's value lists
--         them (redact.lua) until this run drops the list
-- ARGV[4] feed MAXLEN
-- ARGV[5..] more candidates (sha256 hex)
-- With no candidate given and no entry: every picture of the blog.
-- A candidate stays while an event of the log or a current entry (a
-- deleted one too: its events still name it) other than ARGV[3] names it.
-- A picture's own keys, ARGV[2]..sha (its bytes) and ARGV[2]..sha..':blogs'
-- (the blogs holding it), are named here from the ids: the bytes are
-- deleted when no blog holds them any more; then one feed item
-- {b=blog, t='media_gone', s='', p='', d='<id> <id>...'} tells every
-- instance to drop its copies of those bytes (src/http/media.c).
-- Reply: the ids deleted (array); candidates that are not the blog's, or
-- in use, are kept
-- Errors: none (an unknown blog has no pictures: nothing is deleted)
local skip = ARGV[3]
local used, named = {}, {}
local function note(json, from)
  if not string.find(json, '"media"', 1, true) then return end
  local ok, e = pcall(cjson.decode, json)
  if not ok or type(e) ~= 'table' or type(e.media) ~= 'table' then return end
  local into = used
  if skip ~= '' and (from or e.id) == skip then into = named end
  for _, m in ipairs(e.media) do
    if type(m) == 'table' and type(m.id) == 'string' then into[m.id] = true end
  end
end
local from = '-'
while true do
  local items = redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', 1000)
  for _, item in ipairs(items) do
    local f = item[2]
    for i = 1, #f - 1, 2 do
      if f[i] == 'd' then note(f[i + 1]) end
    end
  end
  if #items < 1000 then break end
  from = '(' .. items[#items][1]
end
local entries = redis.call('HGETALL', KEYS[3])
for i = 1, #entries - 1, 2 do
  local v = entries[i + 1]
  local sp1 = string.find(v, ' ', 1, true)
  local sp2 = sp1 and string.find(v, ' ', sp1 + 1, true)
  if sp2 then note(string.sub(v, sp2 + 1), entries[i]) end
end
local candidates = {}
for i = 5, #ARGV do candidates[#candidates + 1] = ARGV[i] end
for id in pairs(named) do candidates[#candidates + 1] = id end
if #candidates == 0 and skip == '' then candidates = redis.call('HKEYS', KEYS[1]) end
local gone, bytes_gone = {}, {}
for _, id in ipairs(candidates) do
  if not used[id] and redis.call('HDEL', KEYS[1], id) == 1 then
    local holders = ARGV[2] .. id .. ':blogs'
    redis.call('SREM', holders, ARGV[1])
    if redis.call('SCARD', holders) == 0 then
      redis.call('DEL', ARGV[2] .. id, holders)
      bytes_gone[#bytes_gone + 1] = id
    end
    gone[#gone + 1] = id
  end
end
-- the redacted entry's list of its pictures has been handled: it goes
if skip ~= '' then
  local v = redis.call('HGET', KEYS[3], skip)
  local sp1 = v and string.find(v, ' ', 1, true)
  local sp2 = sp1 and string.find(v, ' ', sp1 + 1, true)
  local ok, e = false, nil
  if sp2 then ok, e = pcall(cjson.decode, string.sub(v, sp2 + 1)) end
  if ok and type(e) == 'table' and e.redacted and e.media ~= nil then
    e.media = nil
    redis.call('HSET', KEYS[3], skip, string.sub(v, 1, sp2) .. cjson.encode(e))
  end
end
if #bytes_gone > 0 then
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[4], '*', 'b', ARGV[1],
    't', 'media_gone', 's', '', 'p', '', 'd', table.concat(bytes_gone, ' '))
end
return gone
