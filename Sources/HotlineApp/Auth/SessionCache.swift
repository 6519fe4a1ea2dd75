import Fluent
import Foundation
import HotlineCore
import NIOConcurrencyHelpers
import NIOCore

/// The sessions this process looked up lately, by the hash of their token.
///
/// Every staff request used to look its token up in the database before its own work: one more
/// statement, and on SQLite one more crossing to the database's threads, on every page, lookup
/// and intake (docs/PERFORMANCE.md, "Eleventh round").
///
/// How fresh it is:
/// - Changes made through this process (a logout, an account's name, roles or active flag, a
///   unit's name, an agent's seat) empty the cache once they have committed (`invalidateAll`).
///   A lookup that was under way while that happened does not put its answer back: it may
///   have read the rows before the change.
/// - Changes made by another instance on the same PostgreSQL, or by the `hotline` command, are
///   seen here after at most `lifetime`: that long, a session ended elsewhere still opens
///   requests on this instance. `HOTLINE_SESSION_CACHE_SECONDS` sets it; 0 turns the cache off.
/// - A token's expiry is checked at every request, cached or not.
/// - Only sessions that opened are kept; an unknown token is looked up each time, so a new
///   login works at once on every instance.
final class SessionCache: Sendable {
    /// What a request needs of its session, as the token lookup read it.
    struct Session: Sendable {
        var actor: Actor
        var tokenId: UUID
        var csrfToken: String
        var agentExtension: String?
        var expiresAt: Date
    }

    private struct State {
        var entries: [String: (session: Session, until: NIODeadline)] = [:]
        /// Counts `invalidateAll` calls, so a lookup begun before one can tell.
        var generation: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())
    /// How long an entry is used before the database is asked again.
    let lifetime: TimeAmount
    /// Entries kept at most: a bound on memory whatever the number of sessions.
    let capacity: Int

    init(lifetime: TimeAmount, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    var isEnabled: Bool { lifetime > .zero }

    /// Read before a lookup and handed to `remember`.
    var generation: UInt64 { state.withLockedValue { $0.generation } }

    var count: Int { state.withLockedValue { $0.entries.count } }

    /// The session kept for this token hash, unless it has aged out.
    func session(for tokenHash: String) -> Session? {
        guard isEnabled else { return nil }
        let now = NIODeadline.now()
        return state.withLockedValue { s in
            guard let entry = s.entries[tokenHash] else { return nil }
            if entry.until > now { return entry.session }
            s.entries[tokenHash] = nil
            return nil
        }
    }

    /// Keeps a session looked up from the database, unless the cache was emptied since
    /// `generation` was read (the rows read may predate that change).
    func remember(_ session: Session, for tokenHash: String, lookedUpIn generation: UInt64) {
        guard isEnabled else { return }
        let now = NIODeadline.now()
        state.withLockedValue { s in
            guard s.generation == generation else { return }
            if s.entries.count >= capacity {
                s.entries = s.entries.filter { $0.value.until > now }
                if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            }
            s.entries[tokenHash] = (session, now + lifetime)
        }
    }

    /// Forgets every session: called after a change to tokens, accounts or units commits.
    func invalidateAll() {
        state.withLockedValue { s in
            s.generation &+= 1
            s.entries.removeAll()
        }
    }
}

extension HotlineServices {
    /// A write that changes what a session opens (its token, its account, its unit): runs it,
    /// then empties `sessions`. Emptied on failure too, which costs only lookups.
    func writeChangingSessions<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        defer { sessions.invalidateAll() }
        return try await write(on: db, body)
    }
}
