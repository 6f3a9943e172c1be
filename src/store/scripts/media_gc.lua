-- media_gc.lua — delete pictures of a blog that nothing else of the blog
-- uses: for redaction (the redacted entry's pictures go unless another
-- entry names them) and for removing a blog's pictures.
-- KEYS[1] the blog's pictures (hash: sha256 → meta JSON)
-- KEYS[2] the blog's log (stream)   KEYS[3] the blog's entries (hash)
-- ARGV[1] blog id   ARGV[2] the prefix of a picture's keys ('lb:media:')
-- ARGV[3] an entry whose events and state do not count as uses: their
--         pictures are candidates ('' none)
-- ARGV[4..] more candidates (sha256 hex)
-- With no candidate given and no entry: every picture of the blog.
-- A candidate stays while an event of the log or a current entry (a
-- deleted one too: its events still name it) other than ARGV[3] names it.
-- A picture's own keys, ARGV[2]..sha (its bytes) and ARGV[2]..sha..':blogs'
-- (the blogs holding it), are named here from the ids: the bytes are
-- deleted when no blog holds them any more.
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
for i = 4, #ARGV do candidates[#candidates + 1] = ARGV[i] end
for id in pairs(named) do candidates[#candidates + 1] = id end
if #candidates == 0 and skip == '' then candidates = redis.call('HKEYS', KEYS[1]) end
local gone = {}
for _, id in ipairs(candidates) do
  if not used[id] and redis.call('HDEL', KEYS[1], id) == 1 then
    local holders = ARGV[2] .. id .. ':blogs'
    redis.call('SREM', holders, ARGV[1])
    if redis.call('SCARD', holders) == 0 then
      redis.call('DEL', ARGV[2] .. id, holders)
    end
    gone[#gone + 1] = id
  end
end
return gone
