import Fluent
import HotlineCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The calls the CTI reported and the orders recorded during them (M009).
struct CallStore {
    let db: any Database
    var sql: any SQLDatabase { db as! any SQLDatabase }

    static let columns = ["call_id", "caller_number", "agent_extension", "state", "ringing_at", "answered_at", "ended_at", "recording_url", "updated_at"]

    /// The call, locked until the end of the caller's transaction on PostgreSQL: the webhook
    /// and an intake naming the call take turns, so a recording arriving while the order is
    /// being stored reaches the order either way. (SQLite's single writer does the same.)
    func find(_ callId: String, lock: Bool = false) async throws -> Call? {
        let suffix = lock && sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        let row = try await sql.raw("SELECT \(unsafeRaw: Self.columns.joined(separator: ", ")) FROM calls WHERE call_id = \(bind: callId)\(unsafeRaw: suffix)").first()
        return try row.map(Self.call)
    }

    static func call(_ row: any SQLRow) throws -> Call {
        Call(
            callId: try row.decode(column: "call_id", as: String.self), callerNumber: try row.decode(column: "caller_number", as: String.self),
            agentExtension: try row.decode(column: "agent_extension", as: String.self),
            state: Call.State(rawValue: try row.decode(column: "state", as: String.self)) ?? .ended,
            ringingAt: try row.decode(column: "ringing_at", as: Date.self), answeredAt: try row.decode(column: "answered_at", as: Date?.self),
            endedAt: try row.decode(column: "ended_at", as: Date?.self), recordingURL: try row.decode(column: "recording_url", as: String?.self))
    }

    /// Stores a new call; false when another delivery of the same call stored it first.
    func insert(_ c: Call, at now: Date) async throws -> Bool {
        let rows = try await sql.raw("""
            INSERT INTO calls (id, call_id, caller_number, agent_extension, state, ringing_at, answered_at, ended_at, recording_url, updated_at)
            VALUES (\(bind: UUID()), \(bind: c.callId), \(bind: c.callerNumber), \(bind: c.agentExtension), \(bind: c.state.rawValue), \(bind: c.ringingAt),
            \(bind: c.answeredAt), \(bind: c.endedAt), \(bind: c.recordingURL), \(bind: now))
            ON CONFLICT (call_id) DO NOTHING RETURNING call_id
            """).all()
        return rows.count == 1
    }

    func update(_ c: Call, at now: Date) async throws {
        try await sql.raw("""
            UPDATE calls SET state = \(bind: c.state.rawValue), answered_at = \(bind: c.answeredAt), ended_at = \(bind: c.endedAt),
            recording_url = \(bind: c.recordingURL), updated_at = \(bind: now) WHERE call_id = \(bind: c.callId)
            """).run()
    }

    /// The statement that links an order to the call it was recorded in (part of the intake).
    static func link(callId: String, workOrderId: UUID, at now: Date) -> any SQLExpression {
        SQLRowsInsert(table: "call_orders", columns: ["id", "call_id", "work_order_id", "created_at"], rows: [
            [.bind(UUID()), .bind(callId), .bind(workOrderId), .bind(now)],
        ])
    }

    func orders(of callId: String) async throws -> [UUID] {
        // In id order: the order in which every other writer (the worker's sweep) locks orders.
        try await sql.raw("SELECT work_order_id FROM call_orders WHERE call_id = \(bind: callId) ORDER BY work_order_id").all()
            .map { try $0.decode(column: "work_order_id", as: UUID.self) }
    }

    /// The calls an order was recorded in, for its page.
    func calls(ofOrder id: UUID) async throws -> [Call] {
        try await sql.raw("""
            SELECT \(unsafeRaw: Self.columns.map { "calls." + $0 }.joined(separator: ", ")) FROM calls
            JOIN call_orders ON call_orders.call_id = calls.call_id WHERE call_orders.work_order_id = \(bind: id) ORDER BY calls.ringing_at
            """).all().map(Self.call)
    }

    /// Calls at an extension changed at or after `since`, oldest change first, with the time
    /// of each change.
    func changed(at ext: String, since: Date) async throws -> [(call: Call, updatedAt: Date)] {
        try await sql.raw("""
            SELECT \(unsafeRaw: Self.columns.joined(separator: ", ")) FROM calls
            WHERE agent_extension = \(bind: ext) AND updated_at >= \(bind: since) ORDER BY updated_at LIMIT 50
            """).all().map { (try Self.call($0), try $0.decode(column: "updated_at", as: Date.self)) }
    }
}

/// Wakes the live call channels of this process when a call at their extension changes, so
/// a ringing call shows at once; channels also look for themselves every couple of seconds,
/// which is how a call reported to another instance reaches them.
final class CallBell: Sendable {
    private let rings = NIOLockedValueBox<[String: Int]>([:])

    func ring(_ ext: String) { rings.withLockedValue { $0[ext, default: 0] += 1 } }

    func count(_ ext: String) -> Int { rings.withLockedValue { $0[ext] ?? 0 } }
}
