-- entry_state.lua — what an edit is computed from, in one atomic read: the
-- blog's state, its pinned entry and the entry's stored value. The state
-- comes first so that any write to an ended blog is refused as ENDED,
-- whatever the entry.
-- KEYS[1] blog hash   KEYS[2] entries hash
-- ARGV[1] entry id
-- Reply: {state, pinned id or '', entries value or ''}
-- Errors: NOTFOUND blog
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return redis.error_reply('NOTFOUND blog') end
return {state, redis.call('HGET', KEYS[1], 'pinned') or '',
  redis.call('HGET', KEYS[2], ARGV[1]) or ''}
