-- redact.lua — a legal takedown of one entry, in one atomic step, also on
-- an ended blog. Every stored event of the entry (entry, edit) keeps its
-- seq and its type but loses its content: the log is rewritten with the
-- same ids in the same order (it does not grow; an ended blog's `ended`
-- stays last). The entry's current value loses its content too, its
-- content fingerprint goes (a hash of the text would confirm a guess), the
-- feed's copies of its events are deleted and one `redact` item tells
-- every instance to drop what it holds. Redacting twice changes nothing.
-- The ids of the pictures the entry named (in any of its events or its
-- current value) stay in its redacted value as "media":[{"id":...}] until
-- media_gc.lua, run next with this entry, has deleted those no other entry
-- names and dropped the list (so a failed or retried run loses none).
-- KEYS[1] blog hash   KEYS[2] log stream   KEYS[3] entries hash
-- KEYS[4] fingerprints hash   KEYS[5] feed stream
-- KEYS[6] redactions hash (entry id -> {"at":ms,"reason":...}, no content)
-- KEYS[7] order zset   KEYS[8] key-events zset (the current entries by
--         "<padded created seq> <id>": append.lua): the entry leaves both
-- ARGV[1] entry id   ARGV[2] reason ('' for none)   ARGV[3] feed MAXLEN
-- Reply: {'new' | 'was', redacted_at ms (string), events rewritten}
-- Errors: NOTFOUND blog | NOTFOUND entry
local id = ARGV[1]
if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('NOTFOUND blog') end
local cur = redis.call('HGET', KEYS[3], id)
if not cur then return redis.error_reply('NOTFOUND entry') end
local sp1 = string.find(cur, ' ', 1, true)
local sp2 = string.find(cur, ' ', sp1 + 1, true)
local created, latest = string.sub(cur, 1, sp1 - 1), string.sub(cur, sp1 + 1, sp2 - 1)
local entry = cjson.decode(string.sub(cur, sp2 + 1))
if entry.redacted then return {'was', tostring(entry.redacted_at), 0} end
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

-- the log, rewritten: the entry's events keep id, type and revision only
local items = redis.call('XRANGE', KEYS[2], '-', '+')
local gone, n = {}, 0
local pictures, named = {}, {}
local function pictures_of(e)
  if type(e.media) ~= 'table' then return end
  for _, m in ipairs(e.media) do
    if type(m) == 'table' and type(m.id) == 'string' and not named[m.id] then
      named[m.id] = true
      pictures[#pictures + 1] = {id = m.id}
    end
  end
end
pictures_of(entry)
for _, it in ipairs(items) do
  local f = it[2]
  local typ, data = f[2], f[4]
  if (typ == 'entry' or typ == 'edit') and string.find(data, id, 1, true) then
    local p = cjson.decode(data)
    if p.id == id then
      pictures_of(p)
      local r = {id = id, seq = p.seq or it[1], redacted = true, revision = p.revision or 1}
      it[2] = {'t', typ, 'd', cjson.encode(r)}
      gone[#gone + 1] = it[1]
      n = n + 1
    end
  end
end
redis.call('DEL', KEYS[2])
for _, it in ipairs(items) do
  redis.call('XADD', KEYS[2], it[1], unpack(it[2]))
end

-- the current value, the fingerprint, the counts
local value = {id = id, seq = created, redacted = true, revision = entry.revision or 1,
  redacted_at = ms}
if entry.deleted then value.deleted = true end
if #pictures > 0 then value.media = pictures end
redis.call('HSET', KEYS[3], id, created .. ' ' .. latest .. ' ' .. cjson.encode(value))
redis.call('HDEL', KEYS[4], id)
if not entry.deleted then redis.call('HINCRBY', KEYS[1], 'count', -1) end
if redis.call('HGET', KEYS[1], 'pinned') == id then redis.call('HDEL', KEYS[1], 'pinned') end
redis.call('HINCRBY', KEYS[1], 'redactions', 1)
local ms_part, n_part = string.match(created, '^(%d+)-(%d+)$')
local member = string.rep('0', 20 - #ms_part) .. ms_part .. '-' ..
  string.rep('0', 20 - #n_part) .. n_part .. ' ' .. id
redis.call('ZREM', KEYS[7], member)
redis.call('ZREM', KEYS[8], member)
redis.call('HSET', KEYS[6], id, cjson.encode({at = ms, reason = ARGV[2]}))

-- the feed's copies: written by the same script as each event, a few ms later
local blog = redis.call('HGET', KEYS[1], 'id')
for _, seq in ipairs(gone) do
  local at = tonumber(string.match(seq, '^(%d+)'))
  for _, it in ipairs(redis.call('XRANGE', KEYS[5], at, at + 5000)) do
    local f, b, s = it[2], nil, nil
    for j = 1, #f, 2 do
      if f[j] == 'b' then b = f[j + 1] elseif f[j] == 's' then s = f[j + 1] end
    end
    if b == blog and s == seq then redis.call('XDEL', KEYS[5], it[1]) end
  end
end
local last = redis.call('HGET', KEYS[1], 'last_seq') or '0-0'
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[3], '*',
  'b', blog, 't', 'redact', 's', last, 'p', last, 'd', id)
return {'new', tostring(ms), n}
