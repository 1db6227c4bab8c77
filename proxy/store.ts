// The proxy's CCR store: which backend `--store` names, and how store errors map to HTTP.
import * as hr from '../index'

/**
 * Opens the store a `--store` value names:
 * - absent: the default store (`HEADROOM_STORE`, else `~/.headroom/ccr.sqlite`);
 * - `memory`: a private in-memory store (this process only);
 * - `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB][?prefix=P]`: a Redis server, shared by every
 *   proxy instance pointed at it (a hash one instance emits is retrievable through any other,
 *   and the memo keeps their compressed bytes identical);
 * - `sqlite:PATH` or a bare path: a SQLite file.
 *
 * @throws {HeadroomError} `INVALID_OPTION` (a bad URL, `rediss://`), `STORE_UNAVAILABLE`
 * (Redis not reachable at startup), `STORE_ERROR` (a file that cannot be opened, a wrong
 * Redis password)
 */
export function openStore(spec: string | undefined): hr.Store {
  if (!spec) return hr.Store.default()
  if (spec === 'memory') return hr.Store.memory()
  if (/^rediss?:\/\//i.test(spec)) return hr.Store.open(spec)
  return hr.Store.open(spec.replace(/^sqlite:/, ''))
}

/**
 * The HTTP status for a failed `GET /v1/retrieve/{hash}`: 503 while the store itself cannot
 * answer (`STORE_UNAVAILABLE`, `STORE_ERROR`: worth retrying later), 404 for a hash it
 * cannot give (`UNKNOWN_HASH`, `EXPIRED`: final).
 */
export function retrieveErrorStatus(code: string | undefined): number {
  return code === 'STORE_UNAVAILABLE' || code === 'STORE_ERROR' ? 503 : 404
}
