import Fluent
import HotlineCore
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

    private func page(_ req: Request, _ query: QueryBuilder<WorkOrderModel>) async throws -> Page<WorkOrderSummaryDTO> {
        let q = try req.query.decode(PageQuery.self)
        let page = max(1, q.page ?? 1)
        let per = min(max(1, q.per ?? 20), 100)
        let total = try await query.copy().count()
        let rows = try await query.range((page - 1) * per..<(page * per)).all()
        return Page(items: rows.map { WorkOrderSummaryDTO($0, now: req.now) }, page: page, per: per, total: total)
    }

    /// 待派单, most urgent dispatch clock first (R-DIS-4).
    @Sendable func awaitingDispatch(req: Request) async throws -> Page<WorkOrderSummaryDTO> {
        _ = try req.principal(.dispatcher, .agent, .supervisor)
        return try await page(req, WorkOrderModel.query(on: req.db).filter(\.$status == WorkOrderStatus.pendingDispatch.rawValue).sort(\.$dispatchDueAt).sort(\.$number))
    }

    @Sendable func awaitingInstruction(req: Request) async throws -> Page<WorkOrderSummaryDTO> {
        _ = try req.principal(.leader, .dispatcher)
        return try await page(req, WorkOrderModel.query(on: req.db).filter(\.$status == WorkOrderStatus.awaitingInstruction.rawValue).sort(\.$createdAt))
    }

    @Sendable func awaitingReview(req: Request) async throws -> Page<WorkOrderSummaryDTO> {
        _ = try req.principal(.reviewer)
        return try await page(req, WorkOrderModel.query(on: req.db).filter(\.$status == WorkOrderStatus.awaitingReview.rawValue).sort(\.$dueAt).sort(\.$number))
    }

    @Sendable func awaitingCallback(req: Request) async throws -> Page<WorkOrderSummaryDTO> {
        _ = try req.principal(.callbackAgent)
        return try await page(req, WorkOrderModel.query(on: req.db).filter(\.$status == WorkOrderStatus.awaitingCallback.rawValue).sort(\.$callbackDueAt).sort(\.$number))
    }

    enum Bucket: String, Codable { case toSign, inHand, dueSoon, overdue, approvals }

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
        let now = req.now
        let page = max(1, q.page ?? 1)
        let per = min(max(1, q.per ?? 20), 100)
        var query = AssignmentModel.query(on: req.db).filter(\.$unitId == unitId)
        switch q.bucket ?? .toSign {
        case .toSign: query = query.filter(\.$status == AssignmentStatus.toSign.rawValue)
        case .inHand: query = query.filter(\.$status == AssignmentStatus.inHand.rawValue)
        case .dueSoon:
            query = query.filter(\.$status ~~ Self.working).filter(\.$dueAt >= now).filter(\.$warnAt <= now)
        case .overdue:
            query = query.filter(\.$status ~~ Self.working).filter(\.$dueAt < now)
        case .approvals:
            query = query.filter(\.$status ~~ [AssignmentStatus.returnRequested.rawValue, AssignmentStatus.feedbackPendingApproval.rawValue])
        }
        let total = try await query.copy().count()
        let rows = try await query.sort(\.$dueAt).range((page - 1) * per..<(page * per)).all()
        let orders = try await WorkOrderModel.query(on: req.db).filter(\.$id ~~ rows.map(\.workOrderId)).all()
        let byId = Dictionary(uniqueKeysWithValues: orders.map { ($0.id!, $0) })
        let items = rows.compactMap { a -> InboxItem? in
            guard let o = byId[a.workOrderId] else { return nil }
            return InboxItem(assignment: AssignmentDTO(a.value, now: now), order: WorkOrderSummaryDTO(o, now: now))
        }
        return Page(items: items, page: page, per: per, total: total)
    }

    static let working = [AssignmentStatus.toSign, .inHand, .returnRequested, .feedbackPendingApproval].map(\.rawValue)

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
        let now = req.now
        let db = req.db
        func status(_ s: WorkOrderStatus) async throws -> Int { try await WorkOrderModel.query(on: db).filter(\.$status == s.rawValue).count() }
        let handled = [WorkOrderStatus.handling.rawValue, WorkOrderStatus.awaitingReview.rawValue]
        return Counts(
            awaitingDispatch: try await status(.pendingDispatch),
            awaitingInstruction: try await status(.awaitingInstruction),
            handling: try await status(.handling),
            awaitingReview: try await status(.awaitingReview),
            awaitingCallback: try await status(.awaitingCallback),
            overdue: try await WorkOrderModel.query(on: db).filter(\.$status ~~ handled).filter(\.$dueAt < now).count(),
            dueSoon: try await WorkOrderModel.query(on: db).filter(\.$status ~~ handled).filter(\.$dueAt >= now).filter(\.$warnAt <= now).count(),
            sensitiveOpen: try await WorkOrderModel.query(on: db).filter(\.$isSensitive == true).filter(\.$status !~ [WorkOrderStatus.closed.rawValue, WorkOrderStatus.archived.rawValue]).count(),
            openSupervisions: try await SupervisionModel.query(on: db).filter(\.$closedAt == nil).count(),
            pendingReturns: try await AssignmentModel.query(on: db).filter(\.$status == AssignmentStatus.returnPending.rawValue).count(),
            pendingExtensions: try await ExtensionRequestModel.query(on: db).filter(\.$status == ExtensionStatus.pendingPlatform.rawValue).count())
    }
}
