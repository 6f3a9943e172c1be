-- append.lua — append one entry, edit or delete event to a live blog's log,
-- atomically with the checks, so nothing lands after `ended`.
-- KEYS[1] blog hash   KEYS[2] log stream   KEYS[3] entries hash
-- KEYS[4] fingerprints hash   KEYS[5] feed stream
-- ARGV[1] type: entry | edit | delete
-- ARGV[2] entry id
-- ARGV[3] payload JSON (entry, edit; ignored for delete)
-- ARGV[4] entry: content fingerprint; edit: the revision the edit is based on
-- ARGV[5] pin: 'pin' | 'unpin' | ''
-- ARGV[6] feed MAXLEN
-- ARGV[7] edit: the pinned entry id the payload was computed against ('' none)
-- Entries hash values are "<created seq> <latest event seq> <payload JSON>".
-- Reply: {'new', seq, prev seq, created seq}
--        {'dup', stored value}   an entry retried with the same content
--        {'gone'}                a delete of an entry already deleted
-- Errors: NOTFOUND blog | NOTFOUND entry | ENDED | CONFLICT | STALE
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
