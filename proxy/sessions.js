"use strict";
// Sessions: which conversations have had markers, so the retrieve tool stays in their tool
// list on every later request (a tool list that flips busts the provider's prompt cache).
//
// A session is named by the client's session header (`x-claude-code-session-id`, or
// `x-headroom-session` for any client) or, failing that, by the library's conversation id
// (a hash of the first message, which every request of a conversation resends).
Object.defineProperty(exports, "__esModule", { value: true });
exports.StickySessions = exports.SESSION_HEADERS = void 0;
exports.sessionFromHeaders = sessionFromHeaders;
/** Headers that name a session, most specific first. */
exports.SESSION_HEADERS = ['x-headroom-session', 'x-claude-code-session-id', 'x-session-id'];
/** The session a request's headers name, if any. */
function sessionFromHeaders(headers) {
    for (const name of exports.SESSION_HEADERS) {
        const v = headers[name];
        const s = Array.isArray(v) ? v[0] : v;
        if (s)
            return `${name}:${s}`;
    }
    return undefined;
}
/** A bounded set of sticky sessions, least recently used evicted first. */
class StickySessions {
    capacity;
    seen = new Map();
    constructor(capacity = 50_000) {
        this.capacity = capacity;
    }
    /** Whether `id` has had markers (and marks it recently used). */
    has(id) {
        if (!id || !this.seen.has(id))
            return false;
        const at = this.seen.get(id);
        this.seen.delete(id);
        this.seen.set(id, at);
        return true;
    }
    /** Records that `id` has had markers. */
    add(id) {
        if (!id)
            return;
        this.seen.delete(id);
        this.seen.set(id, Date.now());
        while (this.seen.size > this.capacity)
            this.seen.delete(this.seen.keys().next().value);
    }
    /** Sessions remembered. */
    get size() {
        return this.seen.size;
    }
}
exports.StickySessions = StickySessions;
