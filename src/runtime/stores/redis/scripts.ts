/**
 * Lua scripts: each primitive that reads then writes runs as one script, so it is atomic on the server.
 * Records live in one hash per collection, field = id, value = "<version>:<json>".
 */
export const SCRIPTS = {
  /** KEYS[1] hash; ARGV id, json. Returns the new version. */
  statePut: {
    numberOfKeys: 1,
    lua: `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local ver = 0
if cur then ver = tonumber(string.match(cur, '^(%d+):')) end
ver = ver + 1
redis.call('HSET', KEYS[1], ARGV[1], ver .. ':' .. ARGV[2])
return ver`,
  },
  /** KEYS[1] hash; ARGV id, expected version, json. Returns {1, newVersion} or {0, current field or ''}. */
  stateCas: {
    numberOfKeys: 1,
    lua: `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local ver = 0
if cur then ver = tonumber(string.match(cur, '^(%d+):')) end
if ver ~= tonumber(ARGV[2]) then return {0, cur or ''} end
ver = ver + 1
redis.call('HSET', KEYS[1], ARGV[1], ver .. ':' .. ARGV[3])
return {1, ver}`,
  },
  /** KEYS[1] hash; ARGV id, version, json. Writes when absent or older; returns 1 when written. */
  stateRestore: {
    numberOfKeys: 1,
    lua: `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and tonumber(string.match(cur, '^(%d+):')) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
return 1`,
  },
  /** KEYS lock, fence counter; ARGV owner, ttl ms. Returns the new fence, or 0 when held. */
  stateLockAcquire: {
    numberOfKeys: 2,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], fence .. ':' .. ARGV[1], 'PX', ARGV[2])
return fence`,
  },
  /** KEYS lock; ARGV "<fence>:<owner>", ttl ms. Returns 1 when extended. */
  stateLockExtend: {
    numberOfKeys: 1,
    lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`,
  },
  /** KEYS lock; ARGV "<fence>:<owner>". Compare-and-delete: returns 1 when released. */
  stateLockRelease: {
    numberOfKeys: 1,
    lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  },
  /** KEYS claims hash; ARGV token, owner. Returns {1, owner} or {0, winner}. */
  stateClaim: {
    numberOfKeys: 1,
    lua: `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then return {1, ARGV[2]} end
return {0, redis.call('HGET', KEYS[1], ARGV[1])}`,
  },
  /** KEYS counter; ARGV by, ttl seconds (0 = none). The TTL is set when the counter has none. */
  stateIncrement: {
    numberOfKeys: 1,
    lua: `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return v`,
  },
  /** KEYS fence counter; ARGV fence. Raises the counter to ARGV[1]; returns 1 when raised. */
  stateFenceRaise: {
    numberOfKeys: 1,
    lua: `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1`,
  },
} as const;

export type ScriptName = keyof typeof SCRIPTS;
