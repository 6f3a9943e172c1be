-- hub_init.lua — a consistent snapshot for a blog's push hub: the blog hash
-- and its newest events, read in one atomic step.
-- KEYS[1] blog hash   KEYS[2] log stream
-- ARGV[1] how many of the newest events to return
-- Reply: {HGETALL of the blog, XREVRANGE log + - COUNT ARGV[1]}
return {redis.call('HGETALL', KEYS[1]),
  redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', ARGV[1])}
