-- The CCR store on Redis. Every store operation is one call of this script, so each is
-- atomic, like one SQLite transaction. Times come from the caller's clock (ARGV[3]), not
-- from the server, so retention follows the same clock as the SQLite store.
--
-- ARGV: op, prefix, now_ms, idle_ttl_ms, max_lifetime_ms, max_entries, max_bytes,
--       max_tombstones, grace_ms, then the operation's own arguments from ARGV[10].
--
-- Keys (P = prefix):
--   P..'e:'..k  hash   live entry: full (digest), size, created, accessed (ms)
--   P..'d:'..k  string its payload, byte-exact; PEXPIRE'd at its deadline + grace as a
--                      safety net (the script decides expiry itself, by the caller's clock)
--   P..'t:'..k  hash   tombstone: full, reason, at, span, limit
--   P..'idle'   zset   live keys by last access (idle sweep, LRU eviction)
--   P..'born'   zset   live keys by creation (lifetime sweep, purge by age)
--   P..'tombs'  zset   tombstone keys by burial time (pruning)
--   P..'c'      hash   counters: bytes, hits, misses, expired, evictions, memo_bytes
--   P..'m:'..k  string memo value (first writer wins: SET NX)
--   P..'mlru'   zset   memo keys by last access
--   P..'version'       data layout version

local op, P = ARGV[1], ARGV[2]
local now = tonumber(ARGV[3])
local ttl, life = tonumber(ARGV[4]), tonumber(ARGV[5])
local max_entries, max_bytes = tonumber(ARGV[6]), tonumber(ARGV[7])
local max_tombs, grace = tonumber(ARGV[8]), tonumber(ARGV[9])
local C, IDLE, BORN, TOMBS, MLRU = P .. 'c', P .. 'idle', P .. 'born', P .. 'tombs', P .. 'mlru'

local function int(n) return string.format('%d', n) end
local function counter(name) return tonumber(redis.call('HGET', C, name) or '0') end
local function bump(name, d)
  if d ~= 0 then redis.call('HINCRBY', C, name, int(d)) end
end

-- Why an entry has expired at `now` (lifetime first, then idle), with the span and limit.
local function expiry(m)
  local age, idle = now - m.created, now - m.accessed
  if age > life then return 'lifetime', age, life end
  if idle > ttl then return 'idle', idle, ttl end
  return nil, 0, 0
end

local function meta(k)
  local f = redis.call('HMGET', P .. 'e:' .. k, 'full', 'size', 'created', 'accessed')
  if not f[1] then return nil end
  return { full = f[1], size = tonumber(f[2]), created = tonumber(f[3]), accessed = tonumber(f[4]) }
end

local function unindex(k)
  redis.call('ZREM', IDLE, k)
  redis.call('ZREM', BORN, k)
end

local function safety_expiry(k, created, accessed)
  local ms = math.min(accessed + ttl, created + life) - now + grace
  if ms < 1 then ms = 1 end
  redis.call('PEXPIRE', P .. 'd:' .. k, int(ms))
end

-- Replaces a live entry by a tombstone.
local function bury(k, m, reason, span, limit)
  redis.call('DEL', P .. 'e:' .. k, P .. 'd:' .. k)
  unindex(k)
  redis.call('HSET', P .. 't:' .. k, 'full', m.full, 'reason', reason, 'at', int(now),
    'span', int(span), 'limit', int(limit))
  redis.call('ZADD', TOMBS, int(now), k)
  bump('bytes', -m.size)
  if reason == 'idle' or reason == 'lifetime' then
    bump('expired', 1)
  elseif reason == 'evicted' then
    bump('evictions', 1)
  end
end

local function prune_tombstones()
  local excess = redis.call('ZCARD', TOMBS) - max_tombs
  if excess > 0 then
    for _, k in ipairs(redis.call('ZRANGE', TOMBS, 0, excess - 1)) do
      redis.call('DEL', P .. 't:' .. k)
    end
    redis.call('ZREMRANGEBYRANK', TOMBS, 0, excess - 1)
  end
end

-- Expires entries past their idle TTL or lifetime, at most `limit` per index (-1: all).
local function sweep(limit)
  local n, seen = 0, {}
  local function visit(keys)
    for _, k in ipairs(keys) do
      if not seen[k] then
        seen[k] = true
        local m = meta(k)
        if m then
          local reason, span, lim = expiry(m)
          if reason then
            bury(k, m, reason, span, lim)
            n = n + 1
          end
        else
          unindex(k) -- an index member whose entry is gone (deleted by hand)
        end
      end
    end
  end
  visit(redis.call('ZRANGEBYSCORE', IDLE, '-inf', '(' .. int(now - ttl), 'LIMIT', 0, limit))
  visit(redis.call('ZRANGEBYSCORE', BORN, '-inf', '(' .. int(now - life), 'LIMIT', 0, limit))
  if n > 0 then prune_tombstones() end
  return n
end

-- Evicts least recently used entries until one more of `size` bytes fits.
local function make_room(size)
  while true do
    if redis.call('ZCARD', IDLE) < max_entries and counter('bytes') + size <= max_bytes then
      return
    end
    local victim = redis.call('ZRANGE', IDLE, 0, 0)[1]
    if not victim then return end
    local m = meta(victim)
    if m then bury(victim, m, 'evicted', 0, 0) else unindex(victim) end
  end
end

local function touch(k, m)
  local accessed = math.max(m.accessed, now)
  redis.call('HSET', P .. 'e:' .. k, 'accessed', int(accessed))
  redis.call('ZADD', IDLE, int(accessed), k)
  safety_expiry(k, m.created, accessed)
end

if op == 'open' then
  local v = redis.call('GET', P .. 'version')
  if not v then
    redis.call('SET', P .. 'version', ARGV[10])
    return tonumber(ARGV[10])
  end
  return tonumber(v)
elseif op == 'put' then
  -- ARGV[10] full digest, ARGV[11] payload, ARGV[12..] candidate keys, shortest first
  local full, data = ARGV[10], ARGV[11]
  local size = string.len(data)
  sweep(1000)
  for i = 12, #ARGV do
    local k = ARGV[i]
    local m = meta(k)
    if m and m.full == full then
      local reason, span, lim = expiry(m)
      if reason then
        bury(k, m, reason, span, lim) -- then stored anew below, over its own tombstone
        m = nil
      else
        if redis.call('EXISTS', P .. 'd:' .. k) == 0 then
          redis.call('SET', P .. 'd:' .. k, data) -- the server dropped it: same bytes again
        end
        touch(k, m)
        return k
      end
    end
    if not m then
      local tomb = redis.call('HGET', P .. 't:' .. k, 'full')
      if (not tomb) or tomb == full then
        if tomb then
          redis.call('DEL', P .. 't:' .. k)
          redis.call('ZREM', TOMBS, k)
        end
        make_room(size)
        redis.call('HSET', P .. 'e:' .. k, 'full', full, 'size', int(size), 'created', int(now),
          'accessed', int(now))
        redis.call('SET', P .. 'd:' .. k, data)
        redis.call('ZADD', IDLE, int(now), k)
        redis.call('ZADD', BORN, int(now), k)
        bump('bytes', size)
        safety_expiry(k, now, now)
        prune_tombstones()
        return k
      end
      -- else a tombstone of other content holds this key: an old marker still names it
    end
    -- else a different original holds this key: never overwrite it
  end
  return false
elseif op == 'get' then
  local k = ARGV[10]
  local m = meta(k)
  if m then
    local reason, span, lim = expiry(m)
    local data = false
    if not reason then
      data = redis.call('GET', P .. 'd:' .. k)
      if not data then reason, span, lim = 'evicted', -1, 0 end -- dropped by the server
    end
    if reason then
      bury(k, m, reason, span, lim)
      prune_tombstones()
      bump('misses', 1)
      return { 'expired', reason, int(now), int(span), int(lim) }
    end
    touch(k, m)
    bump('hits', 1)
    return { 'hit', data }
  end
  bump('misses', 1)
  local t = redis.call('HMGET', P .. 't:' .. k, 'reason', 'at', 'span', 'limit')
  if t[1] then return { 'expired', t[1], t[2], t[3], t[4] } end
  return { 'unknown' }
elseif op == 'miss' then
  bump('misses', 1)
  return 1
elseif op == 'stats' then
  return { redis.call('ZCARD', IDLE), counter('bytes'), redis.call('ZCARD', TOMBS),
    counter('hits'), counter('misses'), counter('expired'), counter('evictions'),
    redis.call('ZCARD', MLRU), counter('memo_bytes') }
elseif op == 'purge' then
  -- ARGV[10] 'all' | 'expired' | 'older', ARGV[11] creation cutoff (ms) for 'older'
  if ARGV[10] == 'expired' then return sweep(-1) end
  local keys
  if ARGV[10] == 'all' then
    keys = redis.call('ZRANGE', IDLE, 0, -1)
  else
    keys = redis.call('ZRANGEBYSCORE', BORN, '-inf', '(' .. ARGV[11])
  end
  local n = 0
  for _, k in ipairs(keys) do
    local m = meta(k)
    if m then
      bury(k, m, 'purged', 0, 0)
      n = n + 1
    else
      unindex(k)
    end
  end
  prune_tombstones()
  return n
elseif op == 'memo_get' then
  local v = redis.call('GET', P .. 'm:' .. ARGV[10])
  if v then redis.call('ZADD', MLRU, 'XX', int(now), ARGV[10]) end
  return v
elseif op == 'memo_put' then
  -- ARGV[10] key, ARGV[11] value, ARGV[12] most entries, ARGV[13] most bytes
  local key, value = ARGV[10], ARGV[11]
  if not redis.call('SET', P .. 'm:' .. key, value, 'NX') then return 0 end
  redis.call('ZADD', MLRU, int(now), key)
  bump('memo_bytes', string.len(value))
  local most_entries, most_bytes = tonumber(ARGV[12]), tonumber(ARGV[13])
  while redis.call('ZCARD', MLRU) > most_entries or counter('memo_bytes') > most_bytes do
    local oldest = redis.call('ZRANGE', MLRU, 0, 1)
    local victim = oldest[1]
    if victim == key then victim = oldest[2] end
    if not victim then break end
    bump('memo_bytes', -redis.call('STRLEN', P .. 'm:' .. victim))
    redis.call('DEL', P .. 'm:' .. victim)
    redis.call('ZREM', MLRU, victim)
  end
  return 1
end
return redis.error_reply('headroom: unknown store operation ' .. tostring(op))
