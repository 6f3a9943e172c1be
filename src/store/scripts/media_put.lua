-- media_put.lua — store a picture as one of a live blog's, atomically with
-- the check of the blog's state. The bytes are kept once whatever the
-- number of blogs holding them (content addressed by SHA-256).
-- KEYS[1] blog hash   KEYS[2] the blog's pictures (hash: sha256 → meta JSON)
-- KEYS[3] the picture (hash: type width height bytes data)
-- KEYS[4] the blogs holding the picture (set of blog ids)
-- ARGV[1] sha256 (64 hex digits)   ARGV[2] meta JSON {"type","width","height","bytes"}
-- ARGV[3] type   ARGV[4] width   ARGV[5] height   ARGV[6] bytes
-- ARGV[7] the picture's bytes (binary)
-- Reply: 'new' (the blog holds it now) | 'dup' (it held it already)
-- Errors: NOTFOUND blog | ENDED
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return redis.error_reply('NOTFOUND blog') end
if state ~= 'live' then return redis.error_reply('ENDED') end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 'dup' end
if redis.call('HEXISTS', KEYS[3], 'data') == 0 then
  redis.call('HSET', KEYS[3], 'type', ARGV[3], 'width', ARGV[4],
    'height', ARGV[5], 'bytes', ARGV[6], 'data', ARGV[7])
end
redis.call('SADD', KEYS[4], redis.call('HGET', KEYS[1], 'id'))
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 'new'
