import Fluent
import HotlineCore
import SQLKit
import Vapor

/// `/api/v1/work-orders`: intake, search, detail, edit, timeline, and the order-level actions
/// of the lifecycle as POST sub-resources.
struct WorkOrderController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let orders = routes.grouped("work-orders")
        orders.post(use: intake)
        orders.get(use: search)
        orders.group(":orderId") { order in
            order.get(use: show)
            order.patch(use: edit)
            order.get("timeline", use: timeline)
            order.get("duplicates", use: duplicates)
            order.post("direct-answer", use: directAnswer)
            order.post("decline", use: decline)
            order.post("guide", use: guide)
            order.post("merge", use: merge)
            order.post("link", use: link)
            order.post("escalate", use: escalate)
            order.post("instruct", use: instruct)
            order.post("dispatch", use: dispatch)
            order.post("review", use: review)
            order.post("reminders", use: remind)
            order.post("supervisions", use: supervise)
            order.post("supervisions", ":supervisionId", "close", use: closeSupervision)
            order.post("callback", use: callback)
            order.post("close", use: close)
            order.post("appeal", use: appeal)
            order.post("archive", use: archive)
        }
    }

    // MARK: Intake

    /// 受理. Retries with the same `Idempotency-Key` return the first order (R-NF-4).
    @Sendable func intake(req: Request) async throws -> Response {
        let principal = try req.principal(.agent, .dispatcher)
        let body = try req.decodeBody(IntakeRequest.self)
        let key = req.headers.first(name: "Idempotency-Key")
        if let key, key.isEmpty || key.count > 200 {
            throw APIProblem.invalid("Idempotency-Key", "Idempotency-Key must be 1–200 characters")
        }
        if let key, let replay = try await replayed(req, key: key, principal: principal) { return replay }
        do {
            let created = try await Self.record(body, idempotencyKey: key, principal: principal, on: req)
            let dto = WorkOrderDTO(created, masked: false, attachments: [], now: req.now)
            let response = try await dto.encodeResponse(status: .created, for: req)
            response.headers.replaceOrAdd(name: .location, value: "/api/v1/work-orders/\(created.order.id)")
            response.headers.replaceOrAdd(name: .eTag, value: "\"\(dto.version)\"")
            return response
        } catch {
            // A concurrent retry with the same key won the race: answer with its order.
            if let key, let replay = try await replayed(req, key: key, principal: principal) { return replay }
            throw error
        }
    }

    /// What else happens to a new order in its own write: the console settles a call at
    /// intake (a direct answer, a decline, a guide, or a merge into an open order), or links
    /// it to an earlier one and sends it on to dispatch.
    enum Settlement: Sendable {
        case none
        case command(Command)
        case merge(into: WorkOrderRepository.Loaded, note: String?)
        case link(to: WorkOrderRepository.Loaded, note: String?)

        var changesAnotherOrder: Bool {
            switch self {
            case .merge, .link: true
            case .none, .command: false
            }
        }

        var action: String {
            switch self {
            case .none: "intake"
            case .command(let c): c.action
            case .merge: "merge"
            case .link: "link"
            }
        }
    }

    /// Validates and stores a new order (the API's intake and the console's): bad input
    /// throws before a number is drawn, and consumes nothing. A settlement is taken by the
    /// rules before anything is written and stored with the order, so a refused one leaves
    /// no order behind.
    static func record(_ body: IntakeRequest, idempotencyKey key: String?, principal: Principal, on req: Request, settle: Settlement = .none) async throws -> WorkOrderAggregate {
        try await recordWithSecret(body, idempotencyKey: key, principal: principal, on: req, settle: settle).aggregate
    }

    /// `record`, also giving the order's query secret (查询密码, R-CIT-2): every order gets
    /// one, sent to the citizen with the number; only its hash is stored.
    /// `alongside` gives rows written in the same statement as the order (an Open311
    /// client's token), from the order's id.
    static func recordWithSecret(
        _ body: IntakeRequest, idempotencyKey key: String?, principal: Principal, on req: Request, settle: Settlement = .none,
        alongside: @escaping @Sendable (WorkOrder) -> [any SQLExpression] = { _ in [] }
    ) async throws -> (aggregate: WorkOrderAggregate, querySecret: String) {
        let db = req.database
        try await Dictionaries.requireActive(kind: "category", code: body.categoryCode, field: "categoryCode", in: req)
        if let subject = body.subjectUnitId, try await UnitModel.find(subject, on: db) == nil {
            throw APIProblem.invalid("subjectUnitId", "subjectUnitId names no unit")
        }
        let now = req.now
        let lifecycle = try await RulesLoader(db: db, services: req.hotline).lifecycle(now: now)
        if let problem = RuleViolation.all(Intake.validate(body.draft)) { throw problem }
        let day = lifecycle.context.calendar.localDate(of: now)
        let templates = try await req.hotline.rules.snapshot(on: db).templates
        let id = UUID.timeOrdered()
        let secret = QuerySecret.generate()
        let actor = principal.actor
        // The order (settled, when asked), its events, its search entry and the idempotency
        // key, in order; and the merge target's own change, if any.
        let callId = body.callId.flatMap { $0.isBlank ? nil : $0 }
        if let callId, try await CallStore(db: db).find(callId) == nil {
            throw APIProblem.invalid("callId", "callId names no call that rang")
        }
        @Sendable func statements(_ db: any Database, number: String, call: Call?) throws -> (WorkOrderAggregate, [any SQLExpression], (Transition, WorkOrderRepository.Loaded)?) {
            var t = try lifecycle.intake(body.draft, id: id, number: number, by: actor)
            if let call { t.events.append(Telephony.intakeEvent(call)) }
            var target: (Transition, WorkOrderRepository.Loaded)?
            switch settle {
            case .none: break
            case .command(let command): t = t.then(try lifecycle.apply(command, to: t.aggregate, by: actor))
            case .merge(let into, let note):
                let (s, tt) = try lifecycle.merge(t.aggregate, into: into.aggregate, by: actor, note: note)
                t = t.then(s)
                target = (tt, into)
            case .link(let to, let note):
                let (s, tt) = try lifecycle.link(t.aggregate, to: to.aggregate, by: actor, note: note)
                t = t.then(s)
                target = tt.map { ($0, to) }
            }
            var statements = WorkOrderRepository(db: db).creation(t, actor: actor, at: now, timers: lifecycle.timers(for: t.aggregate))
            statements.append(CitizenChannel.storeSecret(secret, orderId: id))
            statements += alongside(t.aggregate.order)
            // The citizen's SMS (accepted, with the number and the secret) is stored with the order.
            let messages = lifecycle.citizenMessages(for: t).map { m in
                var m = m
                if m.template == "citizen.accepted" { m.values["secret"] = secret }
                return m
            }
            if let sms = Outbox.citizenRows(messages, order: t.aggregate.order, templates: templates, at: now) { statements.append(sms) }
            if let call { statements.append(CallStore.link(callId: call.callId, workOrderId: id, at: now)) }
            if let key {
                statements.append(SQLRowsInsert(table: IdempotencyKeyModel.schema, columns: ["id", "account_id", "key", "work_order_id", "created_at"], rows: [
                    [.bind(UUID()), .bind(principal.accountId), .bind(key), .bind(id), .bind(now)],
                ]))
            }
            return (t.aggregate, statements, target)
        }
        // The number, mostly, in a transaction of its own (`drawNumberApart`). An intake that
        // fails after the draw (a settlement the rules refuse, a database error, a lost
        // idempotency race) leaves a gap in the day's numbers; R-WO-1 asks for unique and
        // sortable numbers, not gapless ones.
        let repo = WorkOrderRepository(db: db)
        let writesAtOnce = settle.changesAnotherOrder || callId != nil
        if req.hotline.writeBatcher == nil {
            // PostgreSQL: the order in one statement.
            let number = try await repo.drawNumberApart(day: day, blocks: req.hotline.numberBlocks, services: req.hotline)
            if writesAtOnce {
                // A merge or link changes the other order too, and an order recorded during a
                // call reads the call locked (its recording may be arriving): one transaction.
                return try await db.transaction { db in
                    var call: Call?
                    if let callId { call = try await CallStore(db: db).find(callId, lock: true) }
                    let (aggregate, writes, target) = try statements(db, number: number, call: call)
                    let repo = WorkOrderRepository(db: db)
                    try await repo.runAsOneStatement(writes)
                    if let (tt, over) = target { try await repo.save(tt, over: over, actor: actor, at: now, timers: lifecycle.timers(for: tt.aggregate)) }
                    return (aggregate, secret)
                }
            }
            let (aggregate, writes, _) = try statements(db, number: number, call: nil)
            try await repo.runAsOneStatement(writes)
            return (aggregate, secret)
        }
        if !writesAtOnce {
            // SQLite, a plain intake: its rows are built here, before the write, so the one
            // writer spends on it only what the group does at its end. Nothing reads them
            // before the group commits, neither this write nor the group's others: they wait
            // for its end (`WriteBatcher.Deferred`), its FTS row too (collected in `pending`
            // by `SearchIndex.insertion`). The Idempotency-Key's row is written at once, in the
            // write's own savepoint, so that a retry raced into the same group fails alone
            // there rather than failing the group's merged inserts. Without a key the write
            // runs no statement and needs no savepoint.
            let number = try await repo.drawNumberApart(day: day, blocks: req.hotline.numberBlocks, services: req.hotline)
            let pending = WriteBatcher.Deferred()
            let (aggregate, writes, _) = try WriteBatcher.Deferred.$current.withValue(pending) { try statements(db, number: number, call: nil) }
            let inserts = writes as? [SQLRowsInsert]
            let keyRows = inserts?.filter { $0.table == IdempotencyKeyModel.schema } ?? []
            try await req.hotline.write(on: db, runsStatements: inserts == nil || !keyRows.isEmpty) { db in
                let repo = WorkOrderRepository(db: db)
                guard let group = WriteBatcher.Deferred.current else {
                    try await repo.run(writes + [SearchIndex.groupInsertion(pending.content.searchRows)].compactMap { $0 })
                    return
                }
                if let inserts {
                    try await repo.run(keyRows)
                    group.insertAtEnd(inserts.filter { $0.table != IdempotencyKeyModel.schema })
                } else {
                    try await repo.run(writes)
                }
                group.adopt(pending)
            }
            return (aggregate, secret)
        }
        // SQLite, an intake that changes another order or is taken during a call: the rows
        // are built inside the write, from what it reads there, and the number is drawn there
        // too (one writer: no wait on anyone's commit). They are written at once, not at the
        // group's end: a CTI recording webhook in the same group looks the call's orders up
        // (`TelephonyController`).
        return try await req.hotline.write(on: db) { db in
            let repo = WorkOrderRepository(db: db)
            var call: Call?
            if let callId { call = try await CallStore(db: db).find(callId) }
            let (aggregate, writes, target) = try statements(db, number: try await repo.nextNumber(day: day), call: call)
            try await repo.run(writes)
            if let (tt, over) = target { try await repo.save(tt, over: over, actor: actor, at: now, timers: lifecycle.timers(for: tt.aggregate)) }
            return (aggregate, secret)
        }
    }

    private func replayed(_ req: Request, key: String, principal: Principal) async throws -> Response? {
        guard let row = try await IdempotencyKeyModel.query(on: req.database).filter(\.$accountId == principal.accountId).filter(\.$key == key).first(),
            let loaded = try await WorkOrderRepository(db: req.database).find(row.workOrderId)
        else { return nil }
        let dto = try await WorkOrderAccess.detail(req, loaded, principal: principal, purpose: "受理重试")
        let response = try await dto.encodeResponse(status: .ok, for: req)
        response.headers.replaceOrAdd(name: "Idempotency-Replayed", value: "true")
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/work-orders/\(row.workOrderId)")
        return response
    }

    // MARK: Reading

    @Sendable func show(req: Request) async throws -> Response {
        let principal = try req.principal()
        let loaded = try await WorkOrderAccess.visible(req, principal: principal)
        let dto = try await WorkOrderAccess.detail(req, loaded, principal: principal, purpose: req.headers.first(name: "X-Access-Purpose") ?? "查看工单详情")
        let response = try await dto.encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .eTag, value: "\"\(dto.version)\"")
        return response
    }

    @Sendable func timeline(req: Request) async throws -> [TimelineEventDTO] {
        let principal = try req.principal()
        let loaded = try await WorkOrderAccess.visible(req, principal: principal)
        var events = try await (req.database as! any SQLDatabase).selectColumns(TimelineEventDTO.columns, from: WorkOrderEventModel.schema)
            .where(SQLColumn("work_order_id"), .equal, SQLBind(loaded.aggregate.order.id)).orderBy("seq").all().map(TimelineEventDTO.init(row:))
        // The recording is the citizen's voice: only for those who may see who the citizen is.
        if WorkOrderAccess.masked(principal.actor, loaded.aggregate.order) {
            for i in events.indices { events[i].details["recordingUrl"] = nil }
        }
        return events
    }

    /// R-IN-3 判重: open orders from the same phone, or in the same category family at the same
    /// address, within the configured window.
    @Sendable func duplicates(req: Request) async throws -> [WorkOrderSummaryDTO] {
        let principal = try req.principal(.agent, .dispatcher)
        let loaded = try await WorkOrderAccess.visible(req, principal: principal)
        let o = loaded.aggregate.order
        let policy = try await RulesLoader(db: req.database, services: req.hotline).policy()
        let since = req.now.addingTimeInterval(-Double(policy.duplicateWindowDays) * 86_400)
        let family = String(o.categoryCode.prefix(4))
        let rows = try await WorkOrderModel.query(on: req.database)
            .filter(\.$id != o.id)
            .filter(\.$createdAt >= since)
            .filter(\.$status !~ [WorkOrderStatus.closed.rawValue, WorkOrderStatus.archived.rawValue])
            .group(.or) { or in
                if !o.citizen.phone.isEmpty { or.filter(\.$citizenPhone == o.citizen.phone) }
                or.group(.and) { and in
                    and.filter(\.$categoryCode =~ family)
                    and.filter(\.$placeAddress == o.elements.place.address)
                }
            }
            .sort(\.$createdAt, .descending).limit(20).all()
        return rows.map { WorkOrderSummaryDTO($0, now: req.now) }
    }

    struct SearchQuery: Content {
        var number: String?
        var phone: String?
        var q: String?
        var status: String?
        var unitId: UUID?
        var light: WarningLight?
        var from: String?
        var to: String?
        var requestType: RequestType?
        var categoryCode: String?
        var sensitive: Bool?
        var page: Int?
        var per: Int?

        var isTextOnly: Bool {
            [number, phone, status, from, to, categoryCode].allSatisfy { ($0 ?? "").isEmpty }
                && unitId == nil && light == nil && requestType == nil && sensitive == nil
        }
    }

    /// Search by number, phone, text, status, unit, light, date range; paged (R-IN-4 caller
    /// history is `?phone=`). Unit roles see only their own and sub-units' orders.
    @Sendable func search(req: Request) async throws -> Page<WorkOrderSummaryDTO> {
        let principal = try req.principal()
        return try await Self.find(try req.query.decode(SearchQuery.self), principal: principal, req: req)
    }

    /// The search itself, for the API and the console.
    static func find(_ q: SearchQuery, principal: Principal, req: Request) async throws -> Page<WorkOrderSummaryDTO> {
        let (page, per, _) = try Paging.resolve(page: q.page, per: q.per)
        let now = req.now
        let sql = req.database as! any SQLDatabase
        // Built on SQLKit and read into summary rows (`WorkOrderSummaries`): this is the
        // lookup path (number, phone, text) and must stay index-bound at city scale.
        var conditions: [any SQLExpression] = []
        func column(_ name: String) -> SQLColumn { SQLColumn(name, table: "work_orders") }
        if !principal.actor.isPlatformStaff {
            conditions.append(SQLQueryString("EXISTS (SELECT 1 FROM assignments sa WHERE sa.work_order_id = \(ident: "work_orders").\(ident: "id") AND sa.unit_path LIKE \(bind: principal.actor.unit.path + "%"))"))
        }
        if let n = q.number, !n.isEmpty { conditions.append(SQLBinaryExpression(column("number"), .equal, SQLBind(n))) }
        if let p = q.phone, !p.isEmpty { conditions.append(SQLBinaryExpression(column("citizen_phone"), .equal, SQLBind(p))) }
        let index = SearchIndex(req.database)
        if let text = q.q?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let matching = index.matching(text) else {
                throw APIProblem.invalid("q", "q must contain a Chinese character, a letter or a digit")
            }
            // Text alone (the common search box) reads newest-first straight off the index.
            if principal.actor.isPlatformStaff, q.isTextOnly {
                let (ids, total, capped) = try await index.newest(text, offset: (page - 1) * per, limit: per)
                return Page(items: try await WorkOrderSummaries.byIds(ids, on: req.database, now: now), page: page, per: per, total: total, totalIsLowerBound: capped ? true : nil)
            }
            conditions.append(matching)
        }
        if let s = q.status, !s.isEmpty {
            let statuses = s.split(separator: ",").map(String.init)
            for st in statuses where WorkOrderStatus(rawValue: st) == nil {
                throw APIProblem.invalid("status", "status must be among \(WorkOrderStatus.allCases.map(\.rawValue).joined(separator: ", ")); got \(st)")
            }
            conditions.append(SQLBinaryExpression(column("status"), .in, SQLGroupExpression(SQLList(statuses.map { SQLBind($0) }))))
        }
        if let u = q.unitId {
            conditions.append(SQLQueryString("EXISTS (SELECT 1 FROM assignments ua WHERE ua.work_order_id = \(ident: "work_orders").\(ident: "id") AND ua.unit_id = \(bind: u))"))
        }
        if let t = q.requestType { conditions.append(SQLBinaryExpression(column("request_type"), .equal, SQLBind(t.rawValue))) }
        if let c = q.categoryCode, !c.isEmpty { conditions.append(SQLBinaryExpression(column("category_code"), .like, SQLBind(c + "%"))) }
        if let s = q.sensitive { conditions.append(SQLBinaryExpression(column("is_sensitive"), .equal, SQLBind(s))) }
        // Dates in queries are ISO-8601 text; the form decoder would otherwise want epoch seconds.
        if let text = q.from {
            guard let from = Date(iso: text) else { throw APIProblem.invalid("from", "from must be an ISO-8601 time") }
            conditions.append(SQLBinaryExpression(column("created_at"), .greaterThanOrEqual, SQLBind(from)))
        }
        if let text = q.to {
            guard let to = Date(iso: text) else { throw APIProblem.invalid("to", "to must be an ISO-8601 time") }
            conditions.append(SQLBinaryExpression(column("created_at"), .lessThan, SQLBind(to)))
        }
        if let light = q.light { conditions.append(Self.lightCondition(light, now: now)) }

        let predicate: (any SQLExpression)? = conditions.isEmpty ? nil : SQLList(conditions.map { SQLGroupExpression($0) }, separator: SQLRaw(" AND "))
        let counting = sql.select().column(SQLRaw("COUNT(*)"), as: "n").from("work_orders")
        let listing = WorkOrderSummaries.select(on: sql)
        if let predicate { counting.where(predicate); listing.where(predicate) }
        let total = try await counting.first()?.decode(column: "n", as: Int.self) ?? 0
        let rows = try await listing.orderBy(SQLOrderBy(expression: column("created_at"), direction: SQLDirection.descending)).orderBy(SQLOrderBy(expression: column("number"), direction: SQLDirection.descending))
            .limit(per).offset((page - 1) * per).all()
        return Page(items: try WorkOrderSummaries.decode(rows, now: now), page: page, per: per, total: total)
    }

    /// The light filter in SQL, the same rule as `WorkOrder.light(at:)`: the dispatch clock
    /// while waiting for dispatch, the lead unit's clock while handled.
    static func lightCondition(_ light: WarningLight, now: Date) -> SQLQueryString {
        let handled = SQLList([WorkOrderStatus.handling, .awaitingReview].map { SQLBind($0.rawValue) })
        let pending = WorkOrderStatus.pendingDispatch.rawValue
        switch light {
        case .red:
            return "((status IN (\(handled)) AND due_at < \(bind: now)) OR (status = \(bind: pending) AND dispatch_due_at < \(bind: now)))"
        case .yellow:
            return "((status IN (\(handled)) AND due_at >= \(bind: now) AND warn_at <= \(bind: now)) OR (status = \(bind: pending) AND dispatch_due_at >= \(bind: now) AND dispatch_warn_at <= \(bind: now)))"
        case .green:
            return "((status IN (\(handled)) AND warn_at > \(bind: now)) OR (status = \(bind: pending) AND dispatch_warn_at > \(bind: now)))"
        }
    }

    /// Lights in SQL, the same rule as `WorkOrder.light(at:)`: the dispatch clock while
    /// waiting for dispatch, the lead unit's clock while handled.
    // MARK: Edit

    /// Corrections before dispatch. `If-Match` is required: an edit form is read long before
    /// it is sent, and a stale edit must be refused, not merged (R-NF-4).
    @Sendable func edit(req: Request) async throws -> Response {
        guard req.headers.first(name: .ifMatch) != nil else {
            throw APIProblem(.preconditionRequired, code: "if_match_required", field: "If-Match", rule: "send If-Match with the version (ETag) you read")
        }
        let body = try req.decodeBody(WorkOrderPatch.self)
        if let c = body.categoryCode { try await Dictionaries.requireActive(kind: "category", code: c, field: "categoryCode", in: req) }
        let edit = WorkOrderEdit(title: body.title, requestType: body.requestType, categoryCode: body.categoryCode, urgency: body.urgency, elements: body.elements, subjectUnitId: body.subjectUnitId.map { .some($0) })
        return try await WorkOrderAccess.perform(req) { _ in .edit(edit) }
    }

    // MARK: Actions

    @Sendable func directAnswer(req: Request) async throws -> Response {
        let b = try req.decodeBody(DirectAnswerBody.self)
        return try await WorkOrderAccess.perform(req) { _ in .directAnswer(answer: b.answer, knowledgeArticleRef: b.knowledgeArticleRef) }
    }

    @Sendable func decline(req: Request) async throws -> Response {
        let b = try req.decodeBody(DeclineBody.self)
        try await Dictionaries.requireActive(kind: "declineReason", code: b.reasonCode, field: "reasonCode", in: req)
        return try await WorkOrderAccess.perform(req) { _ in .decline(reasonCode: b.reasonCode, note: b.note) }
    }

    @Sendable func guide(req: Request) async throws -> Response {
        let b = try req.decodeBody(GuideBody.self)
        try await Dictionaries.requireActive(kind: "guideTarget", code: b.target, field: "target", in: req)
        return try await WorkOrderAccess.perform(req) { _ in .guide(target: b.target, note: b.note) }
    }

    @Sendable func escalate(req: Request) async throws -> Response {
        let b = try req.decodeBody(EscalateBody.self)
        return try await WorkOrderAccess.perform(req) { _ in .escalate(proposal: b.proposal) }
    }

    @Sendable func instruct(req: Request) async throws -> Response {
        let b = try req.decodeBody(InstructBody.self)
        return try await WorkOrderAccess.perform(req) { _ in .instruct(instruction: b.instruction) }
    }

    @Sendable func dispatch(req: Request) async throws -> Response {
        let b = try req.decodeBody(DispatchBody.self)
        let lead = try await Units.handling(b.leadUnitId, field: "leadUnitId", on: req.database)
        var co: [UnitRef] = []
        for id in b.coUnitIds ?? [] { co.append(try await Units.handling(id, field: "coUnitIds", on: req.database)) }
        if let limit = b.timeLimit, limit.amount < 0 || limit.amount > 365 {
            throw APIProblem.invalid("timeLimit.amount", "timeLimit.amount must be 0…365")
        }
        let plan = DispatchPlan(mode: b.mode ?? .transfer, lead: lead, coUnits: co, timeLimit: b.timeLimit, conflictOverrideReason: b.conflictOverrideReason, directAnswer: b.directAnswer, note: b.note)
        return try await WorkOrderAccess.perform(req) { _ in .dispatch(plan) }
    }

    @Sendable func review(req: Request) async throws -> Response {
        let b = try req.decodeBody(ReviewBody.self)
        return try await WorkOrderAccess.perform(req) { _ in .review(approve: b.approve, reasons: b.reasons) }
    }

    @Sendable func remind(req: Request) async throws -> Response {
        let b = try req.decodeBody(ReminderBody.self)
        return try await WorkOrderAccess.perform(req) { _ in .remind(assignment: b.assignmentId, note: b.note) }
    }

    @Sendable func supervise(req: Request) async throws -> Response {
        let b = try req.decodeBody(SupervisionBody.self)
        return try await WorkOrderAccess.perform(req) { _ in .supervise(assignment: b.assignmentId, method: b.method, note: b.note, instruction: b.instruction) }
    }

    @Sendable func closeSupervision(req: Request) async throws -> Response {
        let id = try req.parameters.require("supervisionId", as: UUID.self)
        let b = try req.decodeBody(NoteBody.self)
        return try await WorkOrderAccess.perform(req) { _ in .closeSupervision(supervision: id, note: b.note) }
    }

    @Sendable func callback(req: Request) async throws -> Response {
        let b = try req.decodeBody(CallbackBody.self)
        let record = CallbackRecord(method: b.method, reached: b.reached, satisfaction: b.satisfaction, solved: b.solved, note: b.note)
        return try await WorkOrderAccess.perform(req) { _ in .callback(record, reasonable: b.reasonable ?? false) }
    }

    @Sendable func close(req: Request) async throws -> Response {
        let b = try req.decodeBody(CloseBody.self)
        return try await WorkOrderAccess.perform(req) { _ in .close(note: b.note) }
    }

    @Sendable func appeal(req: Request) async throws -> Response {
        let b = try req.decodeBody(AppealBody.self)
        return try await WorkOrderAccess.perform(req) { _ in .appeal(reason: b.reason) }
    }

    @Sendable func archive(req: Request) async throws -> Response {
        try await WorkOrderAccess.perform(req) { _ in .archive }
    }

    /// 并单: two orders change together, both version-checked.
    @Sendable func merge(req: Request) async throws -> Response {
        try await Self.relate(req, code: "merge", purpose: "并单") { lc, source, target, actor, note in
            let (s, t) = try lc.merge(source, into: target, by: actor, note: note)
            return (s, t)
        }
    }

    /// 关联: both timelines name the other; neither order's handling changes.
    @Sendable func link(req: Request) async throws -> Response {
        try await Self.relate(req, code: "link", purpose: "关联工单") { lc, source, target, actor, note in try lc.link(source, to: target, by: actor, note: note) }
    }

    /// An action between this order and `targetId` (merge, link): both changes, each
    /// version-checked, in one transaction; the other order's only when the rules change it.
    static func relate(
        _ req: Request, code: String, purpose: String,
        _ rule: (Lifecycle, WorkOrderAggregate, WorkOrderAggregate, Actor, String?) throws -> (Transition, Transition?)
    ) async throws -> Response {
        let principal = try req.principal()
        let b = try req.decodeBody(MergeBody.self)
        let source = try await WorkOrderAccess.visible(req, principal: principal)
        try WorkOrderAccess.checkIfMatch(req, source.aggregate.order)
        guard let target = try await WorkOrderRepository(db: req.database).find(b.targetId) else {
            throw APIProblem(.unprocessableEntity, code: "\(code)_target_not_found", field: "targetId", rule: "targetId names no work order")
        }
        let now = req.now
        let lifecycle = try await RulesLoader(db: req.database, services: req.hotline).lifecycle(now: now)
        let (s, t) = try rule(lifecycle, source.aggregate, target.aggregate, principal.actor, b.note)
        try await req.hotline.write(on: req.database) { db in
            let repo = WorkOrderRepository(db: db)
            try await repo.save(s, over: source, actor: principal.actor, at: now, timers: lifecycle.timers(for: s.aggregate))
            if let t { try await repo.save(t, over: target, actor: principal.actor, at: now, timers: lifecycle.timers(for: t.aggregate)) }
        }
        return try await WorkOrderAccess.respond(req, id: source.aggregate.order.id, principal: principal, purpose: purpose)
    }
}
