import Fluent
import Foundation
import HotlineCore
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import HotlineApp

@Suite("Sessions kept in memory (SessionCache)")
struct SessionCacheTests {
    static func session(_ name: String = "坐席甲") -> SessionCache.Session {
        let unit = UnitRef(id: UUID(), name: "12345", level: 1, parentId: nil, path: "/")
        return .init(actor: Actor(accountId: UUID(), name: name, roles: [.agent], unit: unit), tokenId: UUID(), csrfToken: "c", agentExtension: nil, expiresAt: .distantFuture)
    }

    @Test("Kept for its lifetime, then looked up again; off at 0; bounded in size")
    func lifetimeAndBounds() async throws {
        let cache = SessionCache(lifetime: .seconds(60), capacity: 3)
        cache.remember(Self.session(), for: "a", lookedUpIn: cache.generation)
        #expect(cache.session(for: "a")?.actor.name == "坐席甲")
        #expect(cache.session(for: "b") == nil)
        for key in ["b", "c", "d"] { cache.remember(Self.session(), for: key, lookedUpIn: cache.generation) }
        #expect(cache.count <= 3, "the fourth emptied a full cache rather than grow it")
        #expect(cache.session(for: "d") != nil)

        let short = SessionCache(lifetime: .milliseconds(1))
        short.remember(Self.session(), for: "a", lookedUpIn: short.generation)
        try await Task.sleep(for: .milliseconds(20))
        #expect(short.session(for: "a") == nil, "aged out")
        #expect(short.count == 0, "and dropped")

        let off = SessionCache(lifetime: .zero)
        off.remember(Self.session(), for: "a", lookedUpIn: off.generation)
        #expect(off.session(for: "a") == nil && off.count == 0)
    }

    @Test("A lookup under way while the cache is emptied does not put its answer back")
    func generation() {
        let cache = SessionCache(lifetime: .seconds(60))
        let before = cache.generation
        cache.invalidateAll()
        cache.remember(Self.session(), for: "a", lookedUpIn: before)
        #expect(cache.session(for: "a") == nil, "read before the change: may be stale")
        cache.remember(Self.session(), for: "a", lookedUpIn: cache.generation)
        #expect(cache.session(for: "a") != nil)
    }

    /// Ends the agent's session the way another instance would: the row goes, this process
    /// is not told.
    static func deleteBehindTheCache(_ app: Application, _ w: World) async throws {
        let hash = TokenHash.of(w.token("agent"))
        try await app.hotline.write(on: app.db) { db in try await AccessTokenModel.query(on: db).filter(\.$tokenHash == hash).delete() }
    }

    @Test("A request's session comes from the cache once looked up; with the cache off, from the database every time")
    func requestsUseTheCache() async throws {
        try await withTestApp(settings: { $0.sessionCacheSeconds = 300 }) { app, w, _ in
            #expect(try await app.call(.GET, "/me", as: "agent", world: w).status == .ok)
            #expect(app.hotline.sessions.count == 1)
            try await Self.deleteBehindTheCache(app, w)
            #expect(try await app.call(.GET, "/me", as: "agent", world: w).status == .ok, "kept: not looked up again")
            var stranger = w
            stranger.tokens["stranger"] = "not-a-token-anyone-was-given"
            #expect(try await app.call(.GET, "/me", as: "stranger", world: stranger).status == .unauthorized)
            #expect(app.hotline.sessions.count == 1, "an unknown token is not kept")
        }
        try await withTestApp(settings: { $0.sessionCacheSeconds = 0 }) { app, w, _ in
            #expect(try await app.call(.GET, "/me", as: "agent", world: w).status == .ok)
            #expect(app.hotline.sessions.count == 0)
            try await Self.deleteBehindTheCache(app, w)
            #expect(try await app.call(.GET, "/me", as: "agent", world: w).status == .unauthorized)
        }
    }

    @Test("Changes made through this instance reach open sessions at once: roles, names, deactivation, logouts")
    func changesReachSessions() async throws {
        try await withTestApp(settings: { $0.sessionCacheSeconds = 300 }) { app, w, _ in
            let agent = try #require(try await app.call(.GET, "/me", as: "agent", world: w).json.string("id"))
            #expect(try await app.call(.GET, "/accounts", as: "agent", world: w).status == .forbidden)
            #expect(try await app.call(.PATCH, "/accounts/\(agent)", as: "admin", world: w, json: ["roles": ["agent", "admin"]]).status == .ok)
            #expect(try await app.call(.GET, "/accounts", as: "agent", world: w).status == .ok, "a role given applies at once")
            #expect(try await app.call(.PATCH, "/accounts/\(agent)", as: "admin", world: w, json: ["roles": ["agent"]]).status == .ok)
            #expect(try await app.call(.GET, "/accounts", as: "agent", world: w).status == .forbidden, "a role taken away too")

            #expect(try await app.call(.PATCH, "/accounts/\(agent)", as: "admin", world: w, json: ["displayName": "王晓明"]).status == .ok)
            let id = try #require(try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody()).json.string("id"))
            let timeline = try await app.call(.GET, "/work-orders/\(id)/timeline", as: "agent", world: w).array
            #expect(timeline.first?.string("actorName") == "王晓明", "the events carry the new name")

            // A unit's new name reaches its staff's pages (the notice form names their own unit).
            #expect(try await app.page(.GET, "/notices", as: "cy-handler", world: w).body.string.contains("朝阳区人民政府"))
            #expect(try await app.call(.PATCH, "/units/\(w.chaoyang.id!)", as: "admin", world: w, json: ["name": "朝阳区政府"]).status == .ok)
            let notices = try await app.page(.GET, "/notices", as: "cy-handler", world: w).body.string
            #expect(notices.contains("朝阳区政府") && !notices.contains("朝阳区人民政府"), "the unit's new name at once")

            #expect(try await app.call(.GET, "/me", as: "dispatcher", world: w).status == .ok)
            #expect(try await app.call(.DELETE, "/sessions/current", as: "dispatcher", world: w).status == .noContent)
            #expect(try await app.call(.GET, "/me", as: "dispatcher", world: w).status == .unauthorized, "logged out at once")
            // The console's logout, with the session cookie a browser would still send after it.
            #expect(try await app.call(.GET, "/me", as: "reviewer", world: w).status == .ok)
            #expect(try await app.page(.POST, "/logout", as: "reviewer", world: w, form: []).status == .seeOther)
            #expect(try await app.call(.GET, "/me", as: "reviewer", world: w).status == .unauthorized, "logged out of the console at once")

            #expect(try await app.call(.PATCH, "/accounts/\(agent)", as: "admin", world: w, json: ["active": false]).status == .ok)
            #expect(try await app.call(.GET, "/me", as: "agent", world: w).status == .unauthorized, "a deactivated account's session ends at once")
        }
    }

    @Test("HOTLINE_SESSION_CACHE_SECONDS: 10 unless set; 0 turns the cache off; anything outside 0…300 is refused by name")
    func setting() throws {
        #expect(try Settings.fromEnvironment([:], workingDirectory: "/tmp").sessionCacheSeconds == 10)
        #expect(try Settings.fromEnvironment(["HOTLINE_SESSION_CACHE_SECONDS": "0"], workingDirectory: "/tmp").sessionCacheSeconds == 0)
        #expect(try Settings.fromEnvironment(["HOTLINE_SESSION_CACHE_SECONDS": "2.5"], workingDirectory: "/tmp").sessionCacheSeconds == 2.5)
        for bad in ["-1", "301", "soon"] {
            #expect {
                _ = try Settings.fromEnvironment(["HOTLINE_SESSION_CACHE_SECONDS": bad], workingDirectory: "/tmp")
            } throws: { error in
                "\(error)".contains("HOTLINE_SESSION_CACHE_SECONDS: seconds, 0…300")
            }
        }
    }
}
