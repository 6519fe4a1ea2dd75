import Fluent
import Foundation
import HotlineCore
import NIOConcurrencyHelpers
import PostgresNIO
import PostgresKit
import SQLKit
import SQLiteKit
import SQLiteNIO

/// The work-order tables read and written with SQLKit, column by column, instead of through
/// Fluent models. Fluent walks a model's properties by reflection for every query, row and
/// create; under intake that was a fifth of the server's CPU, and on an order's detail and a
/// unit's inbox most of it (docs/PERFORMANCE.md). Writes use `BulkRows`' column lists, which a
/// test holds equal to the models' own; reads mirror each model's `value`, and a test holds
/// them equal on every order of a synthetic city. The models stay for migrations, admin
/// screens and the tests' ground truth.
enum OrderRows {
    /// Typed access to one row's columns by name.
    struct Reader {
        let row: any SQLRow
        /// Put before every column name: for columns selected under prefixed aliases.
        var prefix = ""
        /// The cells of a PostgreSQL row from a prepared statement (`PostgresReadRow`), read
        /// by type without SQLKit's `Decodable` path: on a unit's inbox page (≈ 1,000 cells)
        /// that path was a sixth of the server's time.
        private let cells: PostgresRandomAccessRow?
        /// The cells of a SQLite row of a `SharedStatement` (`SQLiteReadRow`), read by type
        /// in the same way.
        private let sqlite: SQLiteRow?
        /// A SQLite row: its ids are text (`holdsIdsAsText`).
        private let idsAsText: Bool

        init(row: any SQLRow, prefix: String = "") {
            self.row = row
            self.prefix = prefix
            cells = (row as? PostgresReadRow)?.cells
            sqlite = (row as? SQLiteReadRow)?.row
            idsAsText = cells == nil && (sqlite != nil || Self.holdsIdsAsText(row))
        }

        private func name(_ column: String) -> String { prefix.isEmpty ? column : prefix + column }

        func callAsFunction<T: Decodable>(_ column: String, as _: T.Type = T.self) throws -> T {
            try row.decode(column: name(column), as: T.self)
        }

        /// The typed read on SQLite too, chosen by the compiler wherever the column's type is
        /// one that both drivers convert themselves (text, numbers, flags, times): the same
        /// conversion SQLiteKit's decoder picks by a dynamic cast, called directly.
        func callAsFunction<T: Decodable & PostgresDecodable & SQLiteDataConvertible>(_ column: String, as _: T.Type = T.self) throws -> T {
            guard let sqlite else { return try postgres(column) }
            let name = name(column)
            guard let data = sqlite.column(name) else { throw PostgresReadRow.MissingColumn(name: name) }
            guard let value = T(sqliteData: data) else { return try SQLiteDataDecoder().decode(T.self, from: data) }
            return value
        }

        func optional<T: Decodable & PostgresDecodable & SQLiteDataConvertible>(_ column: String, as _: T.Type = T.self) throws -> T? {
            guard let sqlite else { return try postgresOptional(column) }
            guard let data = sqlite.column(name(column)), data != .null else { return nil }
            return try self(column, as: T.self)
        }

        /// The typed read, chosen by the compiler wherever the column's type is one
        /// PostgresNIO decodes itself.
        func callAsFunction<T: Decodable & PostgresDecodable>(_ column: String, as _: T.Type = T.self) throws -> T {
            try postgres(column)
        }

        func optional<T: Decodable & PostgresDecodable>(_ column: String, as _: T.Type = T.self) throws -> T? {
            try postgresOptional(column)
        }

        private func postgres<T: Decodable & PostgresDecodable>(_ column: String) throws -> T {
            let name = name(column)
            guard let cells else { return try row.decode(column: name, as: T.self) }
            guard cells.contains(name) else { throw PostgresReadRow.MissingColumn(name: name) }
            return try cells[name].decode(T.self)
        }

        private func postgresOptional<T: Decodable & PostgresDecodable>(_ column: String) throws -> T? {
            let name = name(column)
            guard let cells else { return try row.decodeNil(column: name) ? nil : row.decode(column: name, as: T.self) }
            guard cells.contains(name) else { return nil }
            let cell = cells[name]
            return cell.bytes == nil ? nil : try cell.decode(T.self)
        }

        /// A UUID column, chosen by the compiler wherever a `UUID` is read. SQLite stores it as
        /// text, which SQLiteKit turns into a `UUID` through its generic nested decoder and
        /// Foundation's `UUID(uuidString:)`, which calls `sscanf` (2% of a SQLite inbox page's
        /// samples): that text is parsed here instead (`UUID(text:)`). PostgreSQL sends the 16
        /// bytes: a row of a prepared statement is read by type, any other by its own decoder.
        func callAsFunction(_ column: String, as _: UUID.Type = UUID.self) throws -> UUID {
            let name = name(column)
            if let cells {
                guard cells.contains(name) else { throw PostgresReadRow.MissingColumn(name: name) }
                return try cells[name].decode(UUID.self)
            }
            if let sqlite, case .text(let text) = sqlite.column(name), let id = UUID(text: text) { return id }
            if idsAsText, let text = try? row.decode(column: name, as: String.self), let id = UUID(text: text) { return id }
            return try row.decode(column: name, as: UUID.self)
        }

        func optional(_ column: String, as _: UUID.Type = UUID.self) throws -> UUID? {
            if let cells {
                let name = name(column)
                guard cells.contains(name), cells[name].bytes != nil else { return nil }
            } else if try row.decodeNil(column: name(column)) {
                return nil
            }
            return try self(column, as: UUID.self)
        }

        /// Whether a row is SQLiteKit's, whose ids are text. Its type is private to SQLiteKit,
        /// so it is told by name, once per row type.
        static func holdsIdsAsText(_ row: any SQLRow) -> Bool {
            let type = ObjectIdentifier(Swift.type(of: row))
            if let known = rowTypes.withLockedValue({ $0[type] }) { return known }
            let sqlite = String(reflecting: Swift.type(of: row)).hasPrefix("SQLiteKit.")
            rowTypes.withLockedValue { $0[type] = sqlite }
            return sqlite
        }

        private static let rowTypes = NIOLockedValueBox<[ObjectIdentifier: Bool]>([:])

        /// A UUID column. SQLite stores it as text, which SQLiteKit turns into a `UUID` through
        /// its generic nested decoder, several times slower than reading the text and parsing
        /// it (`UUID(text:)`); PostgreSQL sends the 16 bytes, decoded directly.
        func uuid(_ column: String, storedAsText: Bool) throws -> UUID {
            guard storedAsText else { return try self(column) }
            let text: String = try self(column)
            guard let id = UUID(text: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(prefix + column): not a UUID: \(text)"))
            }
            return id
        }

        func optional<T: Decodable>(_ column: String, as _: T.Type = T.self) throws -> T? {
            let name = name(column)
            return try row.decodeNil(column: name) ? nil : row.decode(column: name, as: T.self)
        }
    }

    static func workOrder(_ row: any SQLRow) throws -> WorkOrder {
        let r = Reader(row: row)
        var o = WorkOrder(
            id: try r("id"), number: try r("number"), channel: Channel(rawValue: try r("channel")) ?? .other,
            requestType: RequestType(rawValue: try r("request_type")) ?? .consultation, categoryCode: try r("category_code"),
            urgency: Urgency(rawValue: try r("urgency")) ?? .normal, title: try r("title"),
            elements: SixElements(
                time: try r("time_text"),
                place: Place(address: try r("place_address"), divisionCode: try r.optional("place_division_code"), latitude: try r.optional("place_latitude"), longitude: try r.optional("place_longitude")),
                people: try r("people"), matter: try r("matter"), course: try r("course"), wantedOutcome: try r("wanted_outcome")),
            citizen: Citizen(
                name: try r("citizen_name"), phone: try r("citizen_phone"), idNumber: try r.optional("citizen_id_number"), address: try r.optional("citizen_address"),
                wantsSecrecy: try r("wants_secrecy"), anonymous: try r("anonymous"), consentsToDisclosure: try r("consents_disclosure")),
            subjectUnitId: try r.optional("subject_unit_id"), isSensitive: try r("is_sensitive"), createdAt: try r("created_at"), createdBy: try r.optional("created_by"))
        o.version = try r("version")
        o.status = WorkOrderStatus(rawValue: try r("status")) ?? .pendingDispatch
        o.disposition = try r.optional("disposition", as: String.self).flatMap(Disposition.init(rawValue:))
        o.handlingMode = try r.optional("handling_mode", as: String.self).flatMap(HandlingMode.init(rawValue:))
        o.dispatchDueAt = try r.optional("dispatch_due_at")
        o.dispatchWarnAt = try r.optional("dispatch_warn_at")
        o.dispatchedAt = try r.optional("dispatched_at")
        o.proposal = try r.optional("proposal")
        o.leaderInstruction = try r.optional("leader_instruction")
        o.dueAt = try r.optional("due_at")
        o.warnAt = try r.optional("warn_at")
        if let a = try r.optional("limit_amount", as: Int.self), let u = try r.optional("limit_unit", as: String.self).flatMap(TimeLimitUnit.init(rawValue:)) {
            o.timeLimit = TimeLimit(a, u)
        }
        o.redoCount = try r("redo_count")
        o.answer = try r.optional("answer")
        o.knowledgeArticleRef = try r.optional("knowledge_article_ref")
        o.declineReasonCode = try r.optional("decline_reason_code")
        o.guideTarget = try r.optional("guide_target")
        o.mergedIntoId = try r.optional("merged_into_id")
        o.reviewedAt = try r.optional("reviewed_at")
        o.callbackDueAt = try r.optional("callback_due_at")
        o.callbackAttempts = try r("callback_attempts")
        o.callback = try r.optional("callback")
        o.closedAt = try r.optional("closed_at")
        o.archivedAt = try r.optional("archived_at")
        o.appealCount = try r("appeal_count")
        o.appealPending = try r("appeal_pending")
        return o
    }

    /// Without `feedback`, the feedback body is left out (not read, not even selected: see
    /// `inboxColumns`).
    static func assignment(_ row: any SQLRow) throws -> Assignment {
        try assignment(row, feedback: true)
    }

    static func assignment(_ row: any SQLRow, feedback: Bool) throws -> Assignment {
        let r = Reader(row: row)
        var a = Assignment(
            id: try r("id"), workOrderId: try r("work_order_id"),
            unit: UnitRef(id: try r("unit_id"), name: try r("unit_name"), level: try r("unit_level"), parentId: try r.optional("unit_parent_id"), path: try r("unit_path")),
            role: AssignmentRole(rawValue: try r("role")) ?? .lead, parentId: try r.optional("parent_id"), dispatchedAt: try r("dispatched_at"),
            signDueAt: try r("sign_due_at"), timeLimit: TimeLimit(try r("limit_amount"), TimeLimitUnit(rawValue: try r("limit_unit")) ?? .workingDays),
            dueAt: try r("due_at"), warnAt: try r("warn_at"))
        a.status = AssignmentStatus(rawValue: try r("status")) ?? .toSign
        a.signedAt = try r.optional("signed_at")
        a.signedLate = try r("signed_late")
        a.pausedAt = try r.optional("paused_at")
        a.contactDueAt = try r.optional("contact_due_at")
        a.contactedAt = try r.optional("contacted_at")
        a.returnReason = try r.optional("return_reason")
        a.returnBasis = try r.optional("return_basis")
        a.returnRequestedAt = try r.optional("return_requested_at")
        if feedback { a.feedback = try r.optional("feedback") }
        a.feedbackSubmittedAt = try r.optional("feedback_submitted_at")
        a.opinion = try r.optional("opinion")
        a.redoCount = try r("redo_count")
        a.reminderCount = try r("reminder_count")
        a.completedAt = try r.optional("completed_at")
        return a
    }

    static func extensionRequest(_ row: any SQLRow) throws -> ExtensionRequest {
        let r = Reader(row: row)
        var e = ExtensionRequest(id: try r("id"), assignmentId: try r("assignment_id"), amount: try r("amount"), reason: try r("reason"), requestedAt: try r("requested_at"), requestedBy: try r("requested_by"))
        e.status = ExtensionStatus(rawValue: try r("status")) ?? .pendingUnitLeader
        e.decidedAt = try r.optional("decided_at")
        e.decisionNote = try r.optional("decision_note")
        return e
    }

    static func supervision(_ row: any SQLRow) throws -> Supervision {
        let r = Reader(row: row)
        var s = Supervision(
            id: try r("id"), assignmentId: try r.optional("assignment_id"), method: SupervisionMethod(rawValue: try r("method")) ?? .written,
            note: try r("note"), instruction: try r.optional("instruction"), openedAt: try r("opened_at"), openedBy: try r("opened_by"))
        s.closedAt = try r.optional("closed_at")
        s.closingNote = try r.optional("closing_note")
        return s
    }

    static func reminder(_ row: any SQLRow) throws -> Reminder {
        let r = Reader(row: row)
        return Reminder(id: try r("id"), assignmentId: try r("assignment_id"), note: try r("note"), at: try r("at"), by: try r.optional("by"), automatic: try r("automatic"))
    }
}

extension SQLDatabase {
    /// `SELECT <columns> FROM <table>`, to be filtered and sorted.
    func selectColumns(_ columns: [String], from table: String) -> SQLSelectBuilder {
        select().column(SQLColumnList(columns, table: table)).from(table)
    }

    /// One multi-row INSERT of rows laid out like `columns`.
    func insertRows(into table: String, columns: [String], _ rows: [[DatabaseQuery.Value]]) async throws {
        guard !rows.isEmpty else { return }
        try await execute(sql: SQLRowsInsert(table: table, columns: columns, rows: rows)) { _ in }
    }

    /// Rewrites every column of the row with `id` (the first column), plus any `extra`
    /// conditions; answers how many rows matched.
    @discardableResult
    func updateRow(_ table: String, columns: [String], _ values: [DatabaseQuery.Value], extra: [(String, any Encodable & Sendable)] = []) async throws -> Int {
        let matched = NIOLockedValueBox(0)
        try await execute(sql: SQLRowUpdate(table: table, columns: columns, values: values, extra: extra)) { _ in matched.withLockedValue { $0 += 1 } }
        return matched.withLockedValue { $0 }
    }
}

// The statements below write their identifiers as text instead of through `SQLIdentifier`,
// which escapes every name with a generic `replacing` call: 7% of an intake's CPU went to
// quoting the same forty column names. They are only ever given the project's own constant
// table and column names, which contain no quote; both dialects quote with `"`.

/// `"t"."a", "t"."b", …` (or unqualified without a table).
struct SQLColumnList: SQLExpression {
    let text: String

    init(_ columns: [String], table: String? = nil) {
        assert(!columns.contains { $0.contains("\"") } && !(table ?? "").contains("\""))
        // One string, appended in place: every intake lists the columns of six inserts.
        var text = ""
        text.reserveCapacity(columns.reduce(0) { $0 + $1.utf8.count + 4 + (table.map { $0.utf8.count + 3 } ?? 0) })
        for (i, column) in columns.enumerated() {
            if i > 0 { text += ", " }
            if let table { text += "\""; text += table; text += "\"." }
            text += "\""; text += column; text += "\""
        }
        self.text = text
    }

    func serialize(to serializer: inout SQLSerializer) { serializer.write(text) }
}

/// `INSERT INTO "t" (…) VALUES (…), (…)` with every value bound.
struct SQLRowsInsert: SQLExpression {
    let table: String
    let columns: [String]
    var rows: [[DatabaseQuery.Value]]
    /// Text appended after the values, e.g. a `RETURNING` clause.
    var suffix = ""

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write("INSERT INTO \"\(table)\" (\(SQLColumnList(columns).text)) VALUES ")
        for (i, row) in rows.enumerated() {
            precondition(row.count == columns.count, "\(table): \(row.count) values for \(columns.count) columns")
            serializer.write(i == 0 ? "(" : ", (")
            for (j, v) in row.enumerated() {
                if j > 0 { serializer.write(", ") }
                SQLValue.write(v, to: &serializer)
            }
            serializer.write(")")
        }
        if !suffix.isEmpty { serializer.write(" " + suffix) }
    }
}

/// `UPDATE "t" SET … WHERE "id" = … [AND "extra" = …] RETURNING "id"`.
struct SQLRowUpdate: SQLExpression {
    let table: String
    let columns: [String]
    let values: [DatabaseQuery.Value]
    var extra: [(String, any Encodable & Sendable)] = []

    func serialize(to serializer: inout SQLSerializer) {
        precondition(columns.first == "id" && columns.count == values.count)
        serializer.write("UPDATE \"\(table)\" SET ")
        for (i, (c, v)) in zip(columns, values).dropFirst().enumerated() {
            serializer.write(i == 0 ? "\"\(c)\" = " : ", \"\(c)\" = ")
            SQLValue.write(v, to: &serializer)
        }
        serializer.write(" WHERE \"id\" = ")
        SQLValue.write(values[0], to: &serializer)
        for (c, v) in extra {
            serializer.write(" AND \"\(c)\" = ")
            serializer.write(bind: v)
        }
        serializer.write(" RETURNING \"id\"")
    }
}

/// Several data-modifying statements as one PostgreSQL statement:
/// `WITH w1 AS (s1), w2 AS (s2) sN`. All of them run against one snapshot and commit or fail
/// together; foreign keys are checked at the end of the whole statement, so a row may refer
/// to one inserted by an earlier part. None may read what another part writes.
struct SQLWritableCTE: SQLExpression {
    let statements: [any SQLExpression]

    func serialize(to serializer: inout SQLSerializer) {
        for (i, statement) in statements.enumerated() {
            if i == statements.count - 1 {
                if i > 0 { serializer.write(" ") }
                statement.serialize(to: &serializer)
            } else {
                serializer.write(i == 0 ? "WITH w\(i) AS (" : ", w\(i) AS (")
                statement.serialize(to: &serializer)
                serializer.write(")")
            }
        }
    }
}

/// Fluent's own translation of a value: `.bind` becomes a bound parameter encoded by the
/// driver (so dates, UUIDs, booleans and JSON columns are stored exactly as Fluent stores them).
enum SQLValue {
    static func write(_ v: DatabaseQuery.Value, to serializer: inout SQLSerializer) {
        switch v {
        case .bind(let e): serializer.write(bind: e)
        case .null: serializer.write("NULL")
        default: serializer.write("DEFAULT")
        }
    }
}

extension TimelineEventDTO {
    static let columns = BulkRows.eventColumns

    init(row: any SQLRow) throws {
        let r = OrderRows.Reader(row: row)
        self.init(
            seq: try r("seq"), at: try r("at"), action: try r("action"), actorName: try r("actor_name"),
            actorRoles: try r("actor_roles", as: String.self).split(separator: ",").map(String.init),
            actorUnitId: try r.optional("actor_unit_id"), actorUnitName: try r.optional("actor_unit_name"),
            assignmentId: try r.optional("assignment_id"), unitId: try r.optional("unit_id"), fromStatus: try r.optional("from_status"),
            toStatus: try r.optional("to_status"), note: try r.optional("note"), details: try r("details"))
    }
}

extension AttachmentDTO {
    static let columns = ["id", "file_name", "content_type", "size", "sha256", "uploaded_at"]

    init(row: any SQLRow) throws {
        let r = OrderRows.Reader(row: row)
        self.init(id: try r("id"), fileName: try r("file_name"), contentType: try r("content_type"), size: try r("size"), sha256: try r("sha256"), uploadedAt: try r("uploaded_at"))
    }
}
