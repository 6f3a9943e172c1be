-- end.lua — end a blog: append the `ended` event and freeze the log, in one
-- atomic step; ending an ended blog changes nothing.
-- KEYS[1] blog hash   KEYS[2] log stream   KEYS[3] feed stream
-- ARGV[1] feed MAXLEN
-- Reply: {ended seq, 'new' | 'was', HGETALL of the blog}   Errors: NOTFOUND blog
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return redis.error_reply('NOTFOUND blog') end
if state == 'ended' then
  return {redis.call('HGET', KEYS[1], 'ended_seq'), 'was',
    redis.call('HGETALL', KEYS[1])}
end
local prev = redis.call('HGET', KEYS[1], 'last_seq') or '0-0'
local seq = redis.call('XADD', KEYS[2], '*', 't', 'ended', 'd', '')
redis.call('HSET', KEYS[1], 'state', 'ended', 'ended_seq', seq, 'last_seq', seq)
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[1], '*',
  'b', redis.call('HGET', KEYS[1], 'id'), 't', 'ended', 's', seq, 'p', prev, 'd', '')
return {seq, 'new', redis.call('HGETALL', KEYS[1])}
