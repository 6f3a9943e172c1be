-- update_blog.lua — change a live blog's title and/or language, and tell
-- every instance through the feed (so their hubs greet readers with it).
-- KEYS[1] blog hash   KEYS[2] feed stream
-- ARGV[1] new title, '' to keep it   ARGV[2] new lang, '' to keep it
-- ARGV[3] feed MAXLEN
-- The feed item is {b, t='blog', s='', p='', d={"title","lang"} JSON}: not
-- an event of the log (the blog's events are entry, edit, delete, ended).
-- Reply: HGETALL of the blog after the change.
-- Errors: NOTFOUND blog | ENDED
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return redis.error_reply('NOTFOUND blog') end
if state ~= 'live' then return redis.error_reply('ENDED') end
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'title', ARGV[1]) end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'lang', ARGV[2]) end
local meta = cjson.encode({title = redis.call('HGET', KEYS[1], 'title'),
  lang = redis.call('HGET', KEYS[1], 'lang') or ''})
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*',
  'b', redis.call('HGET', KEYS[1], 'id'), 't', 'blog', 's', '', 'p', '', 'd', meta)
return redis.call('HGETALL', KEYS[1])
