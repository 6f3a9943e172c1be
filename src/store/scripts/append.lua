-- append.lua — append one entry, edit or delete event to a live blog's log,
-- atomically with the checks, so nothing lands after `ended`.
-- KEYS[1] blog hash   KEYS[2] log stream   KEYS[3] entries hash
-- KEYS[4] fingerprints hash   KEYS[5] feed stream
-- KEYS[6] order zset (current entries)   KEYS[7] key-events zset
-- KEYS[8] the blog's pictures (hash: sha256 → meta JSON)
-- ARGV[1] type: entry | edit | delete
-- ARGV[2] entry id
-- ARGV[3] payload JSON (entry, edit; ignored for delete)
-- ARGV[4] entry: content fingerprint; edit: the revision the edit is based on
-- ARGV[5] pin: 'pin' | 'unpin' | ''
-- ARGV[6] feed MAXLEN
-- ARGV[7] edit: the pinned entry id the payload was computed against ('' none)
-- ARGV[8] entry, edit: '1' when the entry is a key event after this event
-- ARGV[9] entry, edit: the ids of the payload's pictures, space-separated ('' none)
-- Entries hash values are "<created seq> <latest event seq> <payload JSON>".
-- The order and key-events zsets index the current (not deleted) entries,
-- all at score 0, by "<created seq padded to 20+20 digits> <entry id>", so
-- their lexical order is the seq order (page_state.lua, entries_page.lua);
-- they are kept once the blog hash says indexed=1 (new blogs, and older
-- ones once page_state.lua built them).
-- Reply: {'new', seq, prev seq, created seq}
--        {'dup', stored value}   an entry retried with the same content
--        {'gone'}                a delete of an entry already deleted
-- Errors: NOTFOUND blog | NOTFOUND entry | ENDED | CONFLICT | STALE
--         NOMEDIA <id>   a picture that is not (or no longer) the blog's
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return redis.error_reply('NOTFOUND blog') end
if state ~= 'live' then return redis.error_reply('ENDED') end
local typ, id, payload = ARGV[1], ARGV[2], ARGV[3]
local cur = redis.call('HGET', KEYS[3], id)
local created
if typ == 'entry' then
  if cur then
    if redis.call('HGET', KEYS[4], id) == ARGV[4] then return {'dup', cur} end
    return redis.error_reply('CONFLICT')
  end
else
  if not cur then return redis.error_reply('NOTFOUND entry') end
  local sp1 = string.find(cur, ' ', 1, true)
  local sp2 = string.find(cur, ' ', sp1 + 1, true)
  local entry = cjson.decode(string.sub(cur, sp2 + 1))
  if entry.deleted then
    if typ == 'delete' then return {'gone'} end
    return redis.error_reply('NOTFOUND entry')
  end
  -- a redacted entry is gone for good: an edit would bring content back
  if entry.redacted and typ == 'edit' then return redis.error_reply('NOTFOUND entry') end
  if typ == 'edit' and (tostring(entry.revision) ~= ARGV[4] or
      (redis.call('HGET', KEYS[1], 'pinned') or '') ~= ARGV[7]) then
    return redis.error_reply('STALE')
  end
  if typ == 'delete' then
    entry.deleted = true
    payload = cjson.encode(entry)
  end
  created = string.sub(cur, 1, sp1 - 1)
end
if typ ~= 'delete' then
  for media in string.gmatch(ARGV[9] or '', '%S+') do
    if redis.call('HEXISTS', KEYS[8], media) == 0 then
      return redis.error_reply('NOMEDIA ' .. media)
    end
  end
end
local prev = redis.call('HGET', KEYS[1], 'last_seq') or '0-0'
local data = payload
if typ == 'delete' then data = id end
local seq = redis.call('XADD', KEYS[2], '*', 't', typ, 'd', data)
created = created or seq
redis.call('HSET', KEYS[3], id, created .. ' ' .. seq .. ' ' .. payload)
if typ == 'entry' then
  redis.call('HSET', KEYS[4], id, ARGV[4])
  redis.call('HINCRBY', KEYS[1], 'count', 1)
elseif typ == 'delete' then
  redis.call('HINCRBY', KEYS[1], 'count', -1)
end
local function pad(seq)
  local ms, n = string.match(seq, '^(%d+)-(%d+)$')
  return string.rep('0', 20 - #ms) .. ms .. '-' .. string.rep('0', 20 - #n) .. n
end
local member = pad(created) .. ' ' .. id
if redis.call('HGET', KEYS[1], 'indexed') ~= '1' then
  -- a blog older than the zsets: page_state.lua builds them on its next read
elseif typ == 'delete' then
  redis.call('ZREM', KEYS[6], member)
  redis.call('ZREM', KEYS[7], member)
else
  redis.call('ZADD', KEYS[6], 0, member)
  if ARGV[8] == '1' then
    redis.call('ZADD', KEYS[7], 0, member)
  else
    redis.call('ZREM', KEYS[7], member)
  end
end
local pinned = redis.call('HGET', KEYS[1], 'pinned')
if ARGV[5] == 'pin' then
  redis.call('HSET', KEYS[1], 'pinned', id)
elseif pinned == id and (ARGV[5] == 'unpin' or typ == 'delete') then
  redis.call('HDEL', KEYS[1], 'pinned')
end
redis.call('HSET', KEYS[1], 'last_seq', seq)
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[6], '*',
  'b', redis.call('HGET', KEYS[1], 'id'), 't', typ, 's', seq, 'p', prev, 'd', data)
return {'new', seq, prev, created}
