-- page_state.lua — what the reader page shows, in one atomic read: the blog
-- and its current entries (values "<created seq> <event seq> <payload>").
-- KEYS[1] blog hash   KEYS[2] entries hash
-- Reply: {HGETALL blog, HGETALL entries}   Errors: NOTFOUND blog
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('NOTFOUND blog')
end
return {redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2])}
