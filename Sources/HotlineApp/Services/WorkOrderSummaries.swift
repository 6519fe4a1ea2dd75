import Fluent
import FluentPostgresDriver
import Foundation
import HotlineCore
import SQLKit
import Vapor

/// List lines read straight from the columns they show. Building a Fluent model for each line
/// walks its 55 properties by reflection and then converts the whole order to its core value;
/// on lookups and inbox pages that was most of the server's CPU ([scale], docs/PERFORMANCE.md).
struct WorkOrderSummaryRow: Sendable {
    var id: UUID
    var number: String
    var version: Int
    var status: String
    var disposition: String?
    var channel: String
    var requestType: String
    var categoryCode: String
    var urgency: String
    var title: String
    var citizenName: String
    var citizenPhone: String
    var anonymous: Bool
    var isSensitive: Bool
    var createdAt: Date
    var dispatchDueAt: Date?
    var dispatchWarnAt: Date?
    var dueAt: Date?
    var warnAt: Date?
    var redoCount: Int
    var appealPending: Bool

    /// The summary columns of `work_orders` as `"work_orders"."x" AS "<prefix>x"`.
    static func aliasedColumnText(prefix: String) -> String {
        columns.map { "\"work_orders\".\"\($0)\" AS \"\(prefix)\($0)\"" }.joined(separator: ", ")
    }

    static let columns = [
        "id", "number", "version", "status", "disposition", "channel", "request_type", "category_code", "urgency", "title",
        "citizen_name", "citizen_phone", "anonymous", "is_sensitive", "created_at", "dispatch_due_at", "dispatch_warn_at",
        "due_at", "warn_at", "redo_count", "appeal_pending",
    ]

    /// Column by column: SQLKit's keyed `SQLRowDecoder` converted every key to snake case on
    /// every row, a quarter of an inbox page's CPU.
    /// `prefix`: the summary's columns were selected under aliases with this prefix
    /// (`aliasedColumns`), beside another table's.
    init(row: any SQLRow, prefix: String = "") throws {
        let r = OrderRows.Reader(row: row, prefix: prefix)
        id = try r("id")
        number = try r("number")
        version = try r("version")
        status = try r("status")
        disposition = try r.optional("disposition")
        channel = try r("channel")
        requestType = try r("request_type")
        categoryCode = try r("category_code")
        urgency = try r("urgency")
        title = try r("title")
        citizenName = try r("citizen_name")
        citizenPhone = try r("citizen_phone")
        anonymous = try r("anonymous")
        isSensitive = try r("is_sensitive")
        createdAt = try r("created_at")
        dispatchDueAt = try r.optional("dispatch_due_at")
        dispatchWarnAt = try r.optional("dispatch_warn_at")
        dueAt = try r.optional("due_at")
        warnAt = try r.optional("warn_at")
        redoCount = try r("redo_count")
        appealPending = try r("appeal_pending")
    }
}

enum WorkOrderSummaries {
    /// `SELECT <summary columns> FROM work_orders`, to be filtered, sorted and paged.
    static func select(on sql: any SQLDatabase) -> SQLSelectBuilder {
        sql.selectColumns(WorkOrderSummaryRow.columns, from: "work_orders")
    }

    static func decode(_ rows: [any SQLRow], now: Date) throws -> [WorkOrderSummaryDTO] {
        try rows.map { try WorkOrderSummaryDTO(WorkOrderSummaryRow(row: $0), now: now) }
    }

    /// The summaries of `ids`, in that order.
    /// On PostgreSQL a prepared statement over an id array (one text whatever the page's
    /// size), read by type: a search's page of 20 was planned anew each time.
    static func byIds(_ ids: [UUID], on db: any Database, now: Date) async throws -> [WorkOrderSummaryDTO] {
        guard !ids.isEmpty else { return [] }
        var rows = await PreparedStatements.orNil(ByIds.name, on: db) { try await PreparedStatements.rows(ByIds(ids: ids), on: db) }
        if rows == nil {
            rows = try await select(on: db as! any SQLDatabase).where(SQLColumn("id", table: "work_orders"), .in, SQLGroupExpression(SQLList(ids.map { SQLBind($0) }))).all()
        }
        let byId = Dictionary(uniqueKeysWithValues: try decode(rows ?? [], now: now).map { ($0.id, $0) })
        return ids.compactMap { byId[$0] }
    }

    struct ByIds: PostgresPreparedStatement {
        static let name = "summaries_by_ids"
        static let sql = "SELECT \(WorkOrderSummaryRow.columns.map { "\"\($0)\"" }.joined(separator: ", ")) FROM work_orders WHERE id = ANY($1)"
        typealias Row = PostgresRow
        let ids: [UUID]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(ids)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
    }
}

extension WorkOrderSummaryDTO {
    init(_ r: WorkOrderSummaryRow, now: Date) throws {
        func value<T: RawRepresentable>(_ raw: String, _ column: String) throws -> T where T.RawValue == String {
            guard let v = T(rawValue: raw) else { throw Abort(.internalServerError, reason: "work_orders.\(column) holds unknown value \(raw)") }
            return v
        }
        let status: WorkOrderStatus = try value(r.status, "status")
        self.init(
            id: r.id, number: r.number, version: r.version, status: status,
            disposition: try r.disposition.map { try value($0, "disposition") },
            channel: try value(r.channel, "channel"), requestType: try value(r.requestType, "request_type"),
            categoryCode: r.categoryCode, urgency: try value(r.urgency, "urgency"), title: r.title,
            citizenName: r.anonymous ? "匿名" : Masking.name(r.citizenName), citizenPhone: Masking.phone(r.citizenPhone),
            isSensitive: r.isSensitive, createdAt: r.createdAt, dispatchDueAt: r.dispatchDueAt, dueAt: r.dueAt,
            light: WorkOrder.light(status: status, dispatchDueAt: r.dispatchDueAt, dispatchWarnAt: r.dispatchWarnAt, dueAt: r.dueAt, warnAt: r.warnAt, at: now),
            redoCount: r.redoCount, appealPending: r.appealPending)
    }
}
