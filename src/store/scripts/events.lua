-- events.lua — a page of a blog's log, or NOTFOUND when the blog is unknown.
-- KEYS[1] blog hash   KEYS[2] log stream
-- ARGV[1] start: '-' for the beginning or '(' .. seq (exclusive)
-- ARGV[2] COUNT
-- Reply: {ended seq or '', XRANGE entries [[id, [field, value, ...]], ...],
--         redactions so far (integer)}
-- Errors: NOTFOUND blog
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('NOTFOUND blog')
end
-- an exclusive start at the greatest id has nothing after it (Redis refuses
-- the interval): an empty page, not an error
local ok, items = pcall(redis.call, 'XRANGE', KEYS[2], ARGV[1], '+', 'COUNT', ARGV[2])
if not ok then items = {} end
return {redis.call('HGET', KEYS[1], 'ended_seq') or '', items,
  tonumber(redis.call('HGET', KEYS[1], 'redactions') or '0')}
