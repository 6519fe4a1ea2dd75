import Fluent
import FluentPostgresDriver
import HotlineCore
import SQLKit
import Vapor

/// `/api/v1/queues/…`: the work lists each role starts the day with.
struct QueueController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let q = routes.grouped("queues")
        q.get("awaiting-dispatch", use: awaitingDispatch)
        q.get("awaiting-instruction", use: awaitingInstruction)
        q.get("awaiting-review", use: awaitingReview)
        q.get("awaiting-callback", use: awaitingCallback)
        q.get("inbox", use: inbox)
        q.get("counts", use: counts)
    }

    struct PageQuery: Content { var page: Int?; var per: Int? }

    /// One page of the orders in `status`, as summary lines read from bare columns.
    private func page(_ req: Request, _ status: WorkOrderStatus, by sort: String...) async throws -> Page<WorkOrderSummaryDTO> {
        let q = try req.query.decode(PageQuery.self)
        return try await Self.page(req, status, by: sort, page: q.page, per: q.per)
    }

    static func page(_ req: Request, _ status: WorkOrderStatus, by sort: [String], page: Int?, per: Int?) async throws -> Page<WorkOrderSummaryDTO> {
        let (page, per, _) = try Paging.resolve(page: page, per: per)
        let sql = req.database as! any SQLDatabase
        let predicate = SQLBinaryExpression(SQLColumn("status", table: "work_orders"), .equal, SQLBind(status.rawValue))
        let total = try await sql.select().column(SQLRaw("COUNT(*)"), as: "n").from("work_orders").where(predicate).first()?.decode(column: "n", as: Int.self) ?? 0
        let listing = WorkOrderSummaries.select(on: sql).where(predicate)
        for column in sort { listing.orderBy(SQLColumn(column, table: "work_orders")) }
        let rows = try await listing.limit(per).offset((page - 1) * per).all()
        return Page(items: try WorkOrderSummaries.decode(rows, now: req.now), page: page, per: per, total: total)
    }

    /// 待派单, most urgent dispatch clock first (R-DIS-4).
    @Sendable func awaitingDispatch(req: Request) async throws -> Page<WorkOrderSummaryDTO> {
        _ = try req.principal(.dispatcher, .agent, .supervisor)
        return try await page(req, .pendingDispatch, by: "dispatch_due_at", "number")
    }

    @Sendable func awaitingInstruction(req: Request) async throws -> Page<WorkOrderSummaryDTO> {
        _ = try req.principal(.leader, .dispatcher)
        return try await page(req, .awaitingInstruction, by: "created_at")
    }

    @Sendable func awaitingReview(req: Request) async throws -> Page<WorkOrderSummaryDTO> {
        _ = try req.principal(.reviewer)
        return try await page(req, .awaitingReview, by: "due_at", "number")
    }

    @Sendable func awaitingCallback(req: Request) async throws -> Page<WorkOrderSummaryDTO> {
        _ = try req.principal(.callbackAgent)
        return try await page(req, .awaitingCallback, by: "callback_due_at", "number")
    }

    /// toSign, inHand, dueSoon (yellow), overdue (red), redo (sent back for redo and not yet
    /// answered again), approvals (the unit leader's: feedback, returns and extensions).
    enum Bucket: String, Codable, CaseIterable { case toSign, inHand, dueSoon, overdue, redo, approvals }

    struct InboxQuery: Content {
        var bucket: Bucket?
        var unitId: UUID?
        var page: Int?
        var per: Int?
    }

    struct InboxItem: Content {
        var assignment: AssignmentDTO
        var order: WorkOrderSummaryDTO
    }

    /// A unit's inbox (R-UH): to sign, in hand, due soon (yellow), overdue (red), and the
    /// unit leader's approvals. Unit people get their own unit; platform staff may name one.
    @Sendable func inbox(req: Request) async throws -> Page<InboxItem> {
        let p = try req.principal()
        let q = try req.query.decode(InboxQuery.self)
        let unitId: UUID
        if p.actor.isPlatformStaff, let u = q.unitId { unitId = u } else {
            guard p.has(.unitHandler, .unitLeader) else {
                throw APIProblem(.unprocessableEntity, code: "unit_required", field: "unitId", rule: "platform staff name the unit whose inbox they want")
            }
            unitId = p.actor.unit.id
        }
        return try await Self.inbox(req, unitId: unitId, bucket: q.bucket ?? .toSign, page: q.page, per: q.per)
    }

    static func inbox(_ req: Request, unitId: UUID, bucket: Bucket, page: Int?, per: Int?) async throws -> Page<InboxItem> {
        let now = req.now
        let (page, per, offset) = try Paging.resolve(page: page, per: per)
        // One statement, written out and prepared per connection on PostgreSQL (see
        // `InboxPage`): the count of the bucket and its page of lines with their orders.
        let rows = try await InboxPages.rows(bucket, unitId: unitId, now: now, limit: per, offset: offset, on: req.database)
        let total = try rows.first.map { try $0.decode(column: "total", as: Int.self) } ?? 0
        let items = try rows.filter { try !$0.decodeNil(column: "id") }.map { row in
            InboxItem(assignment: AssignmentDTO(try OrderRows.assignment(row, feedback: false), now: now), order: try WorkOrderSummaryDTO(WorkOrderSummaryRow(row: row, prefix: "o_"), now: now))
        }
        return Page(items: items, page: page, per: per, total: total)
    }

    /// The lines of a bucket, as SQL over `assignments`: `$1` is the unit, `$2` the time now.
    static func inboxCondition(_ bucket: Bucket) -> String {
        func statusIn(_ statuses: [AssignmentStatus]) -> String {
            "status IN (" + statuses.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"
        }
        let condition: String
        switch bucket {
        case .toSign: condition = statusIn([.toSign])
        case .inHand: condition = statusIn([.inHand])
        case .dueSoon: condition = "\(statusIn(working)) AND due_at >= $2 AND warn_at <= $2"
        case .overdue: condition = "\(statusIn(working)) AND due_at < $2"
        case .redo:
            // Sent back and not yet answered again: an answer waiting for the leader is in approvals.
            condition = "\(statusIn([.toSign, .inHand])) AND redo_count > 0"
        case .approvals:
            // Feedback and return requests wait in the assignment's own status; an extension
            // request waits in its own row.
            condition = """
                (\(statusIn([.returnRequested, .feedbackPendingApproval])) OR EXISTS (SELECT 1 FROM extension_requests e \
                WHERE e.assignment_id = assignments.id AND e.status = '\(ExtensionStatus.pendingUnitLeader.rawValue)'))
                """
        }
        return "unit_id = $1 AND " + condition
    }

    /// A bucket's page: its count, then its lines (`$3` per page, from `$4`) joined to their
    /// orders' summaries, one row per line. The pick orders ids alone, which the inbox index
    /// holds with every column the to-sign, in-hand, yellow and red buckets test
    /// (`M012_CoverInboxIndex`): only the page's own lines and orders are read from the tables,
    /// not every line of the bucket. The text is flat, each column named once: SQLite prepares
    /// every statement it runs, and resolving the columns of nested `*` selects was a third of
    /// that. Deadlines are end-of-day times shared by many lines: the id settles ties, so pages
    /// neither repeat nor skip. An empty page is one row with the count and nulls.
    static func inboxSQL(_ bucket: Bucket) -> String {
        let condition = inboxCondition(bucket)
        return """
            SELECT n.total, \(SQLColumnList(inboxColumns, table: "a").text), \(WorkOrderSummaryRow.aliasedColumnText(prefix: "o_"))
            FROM (SELECT COUNT(*) AS total FROM assignments WHERE \(condition)) AS n
            LEFT JOIN (SELECT id FROM assignments WHERE \(condition) ORDER BY due_at, id LIMIT $3 OFFSET $4) AS pick ON 1 = 1
            LEFT JOIN assignments AS a ON a.id = pick.id
            LEFT JOIN work_orders ON work_orders.id = a.work_order_id
            ORDER BY a.due_at, a.id
            """
    }

    static let inboxSQLByBucket = Dictionary(uniqueKeysWithValues: Bucket.allCases.map { ($0, inboxSQL($0)) })

    /// An inbox line leaves out the feedback body (`feedbackSubmittedAt` says there is one; the
    /// order's detail has it): decoding its JSON was a fifth of an inbox page's CPU.
    static let inboxColumns = BulkRows.assignmentColumns.filter { $0 != "feedback" }

    static let working: [AssignmentStatus] = [.toSign, .inHand, .returnRequested, .feedbackPendingApproval]

    struct Counts: Content {
        var awaitingDispatch: Int
        var awaitingInstruction: Int
        var handling: Int
        var awaitingReview: Int
        var awaitingCallback: Int
        var overdue: Int
        var dueSoon: Int
        var sensitiveOpen: Int
        var openSupervisions: Int
        var pendingReturns: Int
        var pendingExtensions: Int
    }

    /// The dashboard's queue counters.
    @Sendable func counts(req: Request) async throws -> Counts {
        _ = try req.principal(.dispatcher, .reviewer, .supervisor, .callbackAgent, .agent, .analyst, .admin, .leader)
        return try await Self.counts(req)
    }

    static func counts(_ req: Request) async throws -> Counts {
        let now = req.now
        let sql = req.database as! any SQLDatabase
        // One statement of scalar subqueries, each answered from a covering index: one round
        // trip instead of eleven (the dashboard polls this).
        let handled = SQLList([WorkOrderStatus.handling, .awaitingReview].map { SQLBind($0.rawValue) })
        let done = SQLList([WorkOrderStatus.closed, .archived].map { SQLBind($0.rawValue) })
        func status(_ s: WorkOrderStatus) -> SQLQueryString { "(SELECT COUNT(*) FROM work_orders WHERE status = \(bind: s.rawValue))" }
        let query: SQLQueryString = """
            SELECT \(status(.pendingDispatch)) AS awaiting_dispatch,
              \(status(.awaitingInstruction)) AS awaiting_instruction,
              \(status(.handling)) AS handling,
              \(status(.awaitingReview)) AS awaiting_review,
              \(status(.awaitingCallback)) AS awaiting_callback,
              (SELECT COUNT(*) FROM work_orders WHERE status IN (\(handled)) AND due_at < \(bind: now)) AS overdue,
              (SELECT COUNT(*) FROM work_orders WHERE status IN (\(handled)) AND due_at >= \(bind: now) AND warn_at <= \(bind: now)) AS due_soon,
              (SELECT COUNT(*) FROM work_orders WHERE is_sensitive = \(bind: true) AND status NOT IN (\(done))) AS sensitive_open,
              (SELECT COUNT(*) FROM supervisions WHERE closed_at IS NULL) AS open_supervisions,
              (SELECT COUNT(*) FROM assignments WHERE status = \(bind: AssignmentStatus.returnPending.rawValue)) AS pending_returns,
              (SELECT COUNT(*) FROM extension_requests WHERE status = \(bind: ExtensionStatus.pendingPlatform.rawValue)) AS pending_extensions
            """
        guard let row = try await sql.raw(query).first() else { throw Abort(.internalServerError) }
        func n(_ column: String) throws -> Int { try row.decode(column: column, as: Int.self) }
        return Counts(
            awaitingDispatch: try n("awaiting_dispatch"), awaitingInstruction: try n("awaiting_instruction"),
            handling: try n("handling"), awaitingReview: try n("awaiting_review"), awaitingCallback: try n("awaiting_callback"),
            overdue: try n("overdue"), dueSoon: try n("due_soon"), sensitiveOpen: try n("sensitive_open"),
            openSupervisions: try n("open_supervisions"), pendingReturns: try n("pending_returns"), pendingExtensions: try n("pending_extensions"))
    }
}

/// A unit's inbox page (`QueueController.inboxSQL`), one prepared statement per bucket:
/// PostgresNIO names a prepared statement by its Swift type, so each bucket is a type.
struct InboxPage<Bucket: InboxPages.Bucket>: SharedStatement {
    static var name: String { "inbox_" + Bucket.bucket.rawValue }
    static var sql: String { QueueController.inboxSQLByBucket[Bucket.bucket]! }
    static var bindingDataTypes: [PostgresDataType] { [.uuid, .timestamptz, .int8, .int8] }
    let unitId: UUID
    let now: Date
    let limit: Int
    let offset: Int
    var arguments: [BulkCell] { [.uuid(unitId), .date(now), .int(limit), .int(offset)] }
}

enum InboxPages {
    protocol Bucket { static var bucket: QueueController.Bucket { get } }
    enum ToSign: Bucket { static let bucket = QueueController.Bucket.toSign }
    enum InHand: Bucket { static let bucket = QueueController.Bucket.inHand }
    enum DueSoon: Bucket { static let bucket = QueueController.Bucket.dueSoon }
    enum Overdue: Bucket { static let bucket = QueueController.Bucket.overdue }
    enum Redo: Bucket { static let bucket = QueueController.Bucket.redo }
    enum Approvals: Bucket { static let bucket = QueueController.Bucket.approvals }

    static func rows(_ bucket: QueueController.Bucket, unitId: UUID, now: Date, limit: Int, offset: Int, on db: any Database) async throws -> [any SQLRow] {
        func run<B: Bucket>(_: B.Type) async throws -> [any SQLRow] {
            try await InboxPage<B>(unitId: unitId, now: now, limit: limit, offset: offset).rows(on: db)
        }
        switch bucket {
        case .toSign: return try await run(ToSign.self)
        case .inHand: return try await run(InHand.self)
        case .dueSoon: return try await run(DueSoon.self)
        case .overdue: return try await run(Overdue.self)
        case .redo: return try await run(Redo.self)
        case .approvals: return try await run(Approvals.self)
        }
    }
}
