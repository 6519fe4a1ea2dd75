import Fluent
import HotlineCore
import SQLKit
import Vapor

/// The work order page (everything about an order, and exactly the actions the reader may take
/// now), its action forms, and the dispatch form.
struct ConsoleOrderController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let order = routes.grouped("orders", ":orderId")
        order.get(use: show)
        order.post("actions", ":action", use: act)
        order.on(.POST, "attachments", body: .collect(maxSize: "100mb"), use: attach)
        order.get("dispatch", use: dispatchForm)
        order.post("dispatch", use: dispatch)
        order.post("publication", use: publish)
        order.post("publication", "withdraw", use: withdrawPublication)
    }

    // MARK: The page

    struct OrderView: Encodable {
        struct CallLine: Encodable {
            var callId: String
            var at: String
            var recordingUrl: String?
        }

        struct Pair: Encodable {
            var label: String
            var value: String
        }

        struct Share: Encodable {
            var unit: String
            var role: String
            var status: String
            var light: String
            var lightLabel: String
            var signDueAt: String
            var dueAt: String
            var signedAt: String?
            var feedback: [Pair]
            var opinion: String?
            var returnReason: String?
            var reminders: Int
            var redoCount: Int
            var sub: Bool
        }

        struct Event: Encodable {
            var at: String
            var who: String
            var action: String
            var change: String?
            var note: String?
        }

        var id: String
        var number: String
        var title: String
        var version: Int
        var status: String
        var light: String
        var lightLabel: String
        var facts: [Pair]
        var elements: [Pair]
        var citizen: [Pair]
        var citizenMasked: Bool
        var outcome: [Pair]
        var shares: [Share]
        var extensions: [Pair]
        var supervisions: [Pair]
        var reminders: [Pair]
        var timeline: [Event]
        /// Orders linked to or from this one, merged into it or it into (from the timeline).
        var related: [Related]
        var calls: [CallLine]
        var attachments: [Pair]
        /// Files may be added while the order is not archived.
        var canAttach: Bool
        var forms: [ActionForm]
        var canDispatch: Bool
        var canEdit: Bool
        /// 诉求公开 (R-CIT-4), for reviewers and admins once the order is closed.
        var publication: PublicationPanel? = nil

        struct PublicationPanel: Encodable {
            var published: Bool
            var refusal: String?
            var title: String
            var matter: String
            var address: String
            var answer: String
            var publishedAt: String?
        }

        struct Related: Encodable {
            var id: String
            var number: String
            var how: String
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await page(req)
    }

    /// The page, with a refused form's problem and inputs when there is one.
    func page(_ req: Request, problem: APIProblem? = nil, values: [String: String] = [:], failedAction: String? = nil) async throws -> Response {
        let principal = try req.principal()
        let loaded = try await WorkOrderAccess.visible(req, principal: principal)
        let dto = try await WorkOrderAccess.detail(req, loaded, principal: principal, purpose: "控制台查看工单")
        let now = req.now
        let lang = req.consoleLanguage
        let lifecycle = try await RulesLoader(db: req.database, services: req.hotline).lifecycle(now: now)
        let available = lifecycle.availableActions(on: loaded.aggregate, by: principal.actor)
        let choices = try await Self.choices(req, for: loaded.aggregate, available: available)
        let fieldErrors = problem.map { p in
            Dictionary(([RuleViolation(.invalid, code: p.code, field: p.field, rule: p.rule)] + p.related).compactMap { v in v.field.map { ($0, RuleMessages.text(v.rule, lang)) } }, uniquingKeysWith: { a, _ in a })
        } ?? [:]
        var forms = ActionForms.forms(available, order: loaded.aggregate, choices: choices, values: [:], errors: [:], lang: lang, now: now)
        // The refused form keeps what was typed and shows its messages.
        if let failedAction, let i = forms.firstIndex(where: { $0.action == failedAction && Self.sameSubject($0, values) }) {
            forms[i] = ActionForms.forms(
                available.filter { $0.action == failedAction }, order: loaded.aggregate, choices: choices, values: values, errors: fieldErrors, lang: lang, now: now
            ).first { Self.sameSubject($0, values) } ?? forms[i]
        }
        let timeline = try await (req.database as! any SQLDatabase).selectColumns(TimelineEventDTO.columns, from: WorkOrderEventModel.schema)
            .where(SQLColumn("work_order_id"), .equal, SQLBind(dto.id)).orderBy("seq").all().map(TimelineEventDTO.init(row:))
        let categories = try await Self.categoryNames(req)
        var view = Self.view(dto, aggregate: loaded.aggregate, timeline: timeline, forms: forms, categories: categories, available: available, lang: lang)
        let status = loaded.aggregate.order.status
        if principal.has(.reviewer, .admin), status == .closed || status == .archived {
            var p = try await PublicationController.dto(loaded, on: req.database)
            // A refused publish form keeps what was typed.
            if failedAction == "publish" {
                p.title = values["title"] ?? p.title
                p.matter = values["matter"] ?? p.matter
                p.address = values["address"] ?? p.address
                p.answer = values["answer"] ?? p.answer
            }
            view.publication = .init(
                published: p.published, refusal: p.refusal.map { RuleMessages.text($0.rule, lang) }, title: p.title, matter: p.matter, address: p.address,
                answer: p.answer, publishedAt: p.publishedAt.map(ConsoleFormat.time))
        }
        return try await req.renderConsole("order", title: "\(req.label("order")) \(dto.number)", view, problem: problem)
    }

    struct PublishForm: Content {
        var title: String?
        var matter: String?
        var address: String?
        var answer: String?
    }

    @Sendable func publish(req: Request) async throws -> Response {
        let principal = try req.principal()
        let form = try req.decodeBody(PublishForm.self)
        do {
            guard principal.has(.reviewer, .admin) else { throw APIProblem(.forbidden, code: "forbidden", rule: "this needs one of the roles reviewer, admin") }
            _ = try await PublicationController.publish(.init(title: form.title, matter: form.matter, address: form.address, answer: form.answer), principal: principal, on: req)
        } catch let p as APIProblem {
            let values = ["title": form.title, "matter": form.matter, "address": form.address, "answer": form.answer].compactMapValues { $0 }
            return try await page(req, problem: p, values: values, failedAction: "publish")
        }
        return req.redirect(to: "/orders/\(try req.parameters.require("orderId"))?done=publish")
    }

    @Sendable func withdrawPublication(req: Request) async throws -> Response {
        let principal = try req.principal()
        do {
            guard principal.has(.reviewer, .admin) else { throw APIProblem(.forbidden, code: "forbidden", rule: "this needs one of the roles reviewer, admin") }
            try await PublicationController.withdraw(principal: principal, on: req)
        } catch let p as APIProblem {
            return try await page(req, problem: p)
        }
        return req.redirect(to: "/orders/\(try req.parameters.require("orderId"))?done=withdrawPublication")
    }

    static func sameSubject(_ form: ActionForm, _ values: [String: String]) -> Bool {
        ["assignmentId", "extensionId", "supervisionId"].allSatisfy { form.hidden[$0] == nil || form.hidden[$0] == values[$0] }
    }

    static func view(_ o: WorkOrderDTO, aggregate: WorkOrderAggregate, timeline: [TimelineEventDTO], forms: [ActionForm], categories: [String: String], available: [AvailableAction], lang: ConsoleLanguage) -> OrderView {
        func l(_ key: String) -> String { ConsoleStrings.label(key, lang) }
        typealias Pair = OrderView.Pair
        func pairs(_ list: [(String, String?)]) -> [Pair] { list.compactMap { k, v in v.flatMap { $0.isEmpty ? nil : Pair(label: l(k), value: $0) } } }
        let category = categories[o.categoryCode].map { "\(o.categoryCode) \($0)" } ?? o.categoryCode
        let facts = pairs([
            ("number", o.number), ("type", l("type.\(o.requestType.rawValue)")), ("category", category),
            ("channel", l("channel.\(o.channel.rawValue)")), ("urgency", l("urgency.\(o.urgency.rawValue)")),
            ("createdAt", ConsoleFormat.time(o.createdAt)), ("mode", o.handlingMode.map { l("mode.\($0.rawValue)") }),
            ("dueAt", ConsoleFormat.time(o.status == .pendingDispatch ? o.dispatchDueAt : o.dueAt)),
            ("timeLimit", o.timeLimit.map { ConsoleFormat.limit($0, lang) }),
        ])
        let e = o.elements
        let elements = pairs([
            ("time", e.time), ("place", e.place.address + (e.place.divisionCode.map { " (\($0))" } ?? "")), ("people", e.people),
            ("matter", e.matter), ("course", e.course), ("wantedOutcome", e.wantedOutcome),
        ])
        let c = o.citizen
        let citizen = pairs([
            ("name", c.anonymous ? l("anonymous") : c.name), ("phone", c.phone), ("idNumber", c.idNumber), ("address", c.address),
            ("secrecy", c.wantsSecrecy ? l("yes") : l("no")), ("disclosure", c.consentsToDisclosure ? l("yes") : l("no")),
        ])
        let outcome = pairs([
            ("proposal", o.proposal), ("instruction", o.leaderInstruction), ("answer", o.answer), ("knowledgeRef", o.knowledgeArticleRef),
            ("reason", o.declineReasonCode), ("target", o.guideTarget),
            ("satisfaction", o.callback?.satisfaction.map { l("sat.\($0.rawValue)") }),
        ])
        let shares = o.assignments.map { a in
            OrderView.Share(
                unit: a.unitName, role: l(a.role == .lead ? "leadRole" : "coRole"), status: l("asg.\(a.status.rawValue)"),
                light: a.status.isActive ? a.light.rawValue : "none", lightLabel: a.status.isActive ? l("light.\(a.light.rawValue)") : "",
                signDueAt: ConsoleFormat.time(a.signDueAt), dueAt: ConsoleFormat.time(a.dueAt), signedAt: a.signedAt.map { ConsoleFormat.time($0) },
                feedback: a.feedback.map { f in
                    pairs([
                        ("answer", f.answer), ("result", l("result.\(f.result.rawValue)")), ("contactMethod", l("contact.\(f.contactMethod.rawValue)")),
                        ("contactedAt", ConsoleFormat.time(f.contactedAt)), ("citizenOpinion", f.citizenOpinion), ("policyReferences", f.policyReferences),
                        ("responsiblePerson", f.responsiblePerson), ("responsiblePhone", f.responsiblePhone),
                    ])
                } ?? [],
                opinion: a.opinion, returnReason: a.returnReason.map { r in r + (a.returnBasis.map { "（\(l("basis"))：\($0)）" } ?? "") },
                reminders: a.reminderCount, redoCount: a.redoCount, sub: a.parentId != nil)
        }
        let unitOf = Dictionary(uniqueKeysWithValues: o.assignments.map { ($0.id, $0.unitName) })
        let extensions = o.extensions.map { x in
            Pair(label: "\(unitOf[x.assignmentId] ?? "") · \(x.amount) \(l("workingDays"))", value: "\(x.reason)（\(x.status.rawValue)）")
        }
        let supervisions = o.supervisions.map { s in
            Pair(
                label: "\(ConsoleFormat.time(s.openedAt)) \(l("sup.\(s.method.rawValue)")) · \(s.closedAt == nil ? l("open") : l("closed"))",
                value: s.note + (s.instruction.map { "（\(l("instruction"))：\($0)）" } ?? "") + (s.closingNote.map { " → \($0)" } ?? ""))
        }
        let reminders = o.reminders.map { r in Pair(label: "\(ConsoleFormat.time(r.at)) · \(unitOf[r.assignmentId] ?? "")", value: r.note) }
        let events = timeline.map { ev in
            OrderView.Event(
                at: ConsoleFormat.time(ev.at), who: ev.actorName + (ev.actorUnitName.map { "（\($0)）" } ?? ""),
                action: l("action.\(ev.action)"),
                change: Optional([ev.fromStatus, ev.toStatus].compactMap { $0 }.map { s in
                    WorkOrderStatus(rawValue: s) != nil ? l("status.\(s)") : l("asg.\(s)")
                }.joined(separator: " → ")).flatMap { $0.isEmpty ? nil : $0 },
                note: ev.note.flatMap { $0.isEmpty ? nil : $0 })
        }
        // Each event naming another order: (its id key, its number key).
        let relations = ["link": ("toId", "to"), "linkedFrom": ("fromId", "from"), "merge": ("intoId", "into"), "mergedIn": ("fromId", "from")]
        var related: [OrderView.Related] = []
        for ev in timeline {
            guard let (idKey, numberKey) = relations[ev.action], let id = ev.details[idKey], let number = ev.details[numberKey] else { continue }
            if !related.contains(where: { $0.id == id }) { related.append(.init(id: id, number: number, how: l("action.\(ev.action)"))) }
        }
        // The calls the order was recorded in, with their recordings (R-IN-4), from the
        // timeline; the recording is the citizen's voice, so not where the citizen is masked.
        var calls: [OrderView.CallLine] = []
        for ev in timeline where ev.action == "call" || ev.action == "recording" {
            guard let callId = ev.details["callId"] else { continue }
            let url = o.citizenMasked ? nil : ev.details["recordingUrl"]
            if let i = calls.firstIndex(where: { $0.callId == callId }) {
                if let url { calls[i].recordingUrl = url }
            } else {
                calls.append(.init(callId: callId, at: ConsoleFormat.time(ev.at), recordingUrl: url))
            }
        }
        return OrderView(
            id: o.id.uuidString, number: o.number, title: o.title, version: o.version, status: l("status.\(o.status.rawValue)"),
            light: o.light?.rawValue ?? "none", lightLabel: o.light.map { l("light.\($0.rawValue)") } ?? "",
            facts: facts, elements: elements, citizen: citizen, citizenMasked: o.citizenMasked, outcome: outcome, shares: shares,
            extensions: extensions, supervisions: supervisions, reminders: reminders, timeline: events, related: related, calls: calls,
            attachments: o.attachments.map { Pair(label: "/api/v1/attachments/\($0.id.uuidString)", value: "\($0.fileName)（\(max(1, $0.size / 1024)) KB）") },
            canAttach: o.status != .archived, forms: forms,
            canDispatch: available.contains { $0.action == "dispatch" }, canEdit: available.contains { $0.action == "edit" })
    }

    /// Choices the offered forms need: only read when such a form is offered.
    static func choices(_ req: Request, for a: WorkOrderAggregate, available: [AvailableAction]) async throws -> ActionForms.Choices {
        let actions = Set(available.map(\.action))
        var choices = ActionForms.Choices(declineReasons: [], guideTargets: [], subUnits: [:])
        if actions.contains("decline") { choices.declineReasons = try await entries(req, kind: "declineReason") }
        if actions.contains("guide") { choices.guideTargets = try await entries(req, kind: "guideTarget") }
        if actions.contains("edit") { choices.categories = try await entries(req, kind: "category").map { ($0.0, "\($0.0) \($0.1)") } }
        if actions.contains("subDispatch") {
            let parents = Set(available.filter { $0.action == "subDispatch" }.compactMap { $0.assignmentId.flatMap { a.assignment($0)?.unit.id } })
            for parent in parents {
                choices.subUnits[parent] = try await UnitModel.query(on: req.database).filter(\.$parentId == parent).filter(\.$active == true).sort(\.$name).all()
                    .map { ($0.id!, $0.name) }
            }
        }
        return choices
    }

    static func entries(_ req: Request, kind: String) async throws -> [(String, String)] {
        let lang = req.consoleLanguage
        return try await DictionaryEntryModel.query(on: req.database).filter(\.$kind == kind).filter(\.$active == true).sort(\.$sort).sort(\.$code).all()
            .map { ($0.code, lang == .en ? ($0.nameEn ?? $0.name) : $0.name) }
    }

    static func categoryNames(_ req: Request) async throws -> [String: String] {
        let lang = req.consoleLanguage
        let rows = try await (req.database as! any SQLDatabase).select().columns("code", "name", "name_en").from(DictionaryEntryModel.schema)
            .where(SQLColumn("kind"), .equal, SQLBind("category")).all()
        var names: [String: String] = [:]
        for row in rows {
            let r = OrderRows.Reader(row: row)
            names[try r("code")] = lang == .en ? (try r.optional("name_en", as: String.self) ?? r("name")) : try r("name")
        }
        return names
    }

    // MARK: Actions

    /// A posted action form: on success back to the page (POST/redirect/GET, with the action
    /// named); refused, the page again with the problem and the inputs kept (422, or 409 when
    /// the state or the version forbids it).
    @Sendable func act(req: Request) async throws -> Response {
        let orderId = try req.parameters.require("orderId", as: UUID.self)
        let action = try req.parameters.require("action")
        let input = try req.decodeBody(ActionInput.self)
        var values = input.values
        values["assignmentId"] = input.assignmentId
        values["extensionId"] = input.extensionId
        values["supervisionId"] = input.supervisionId
        if let v = input.version { req.headers.replaceOrAdd(name: .ifMatch, value: "\"\(v)\"") }
        do {
            if action == "edit" {
                // The edit is built over the order as `apply` loads it (visible to this person,
                // version-checked), after the category is known to be active.
                let category = try input.required(input.categoryCode, "categoryCode")
                try await Dictionaries.requireActive(kind: "category", code: category, field: "categoryCode", in: req)
                _ = try await WorkOrderAccess.apply(req, orderId: orderId) { a in try ActionForms.edit(input, on: a.order) }
            } else {
                let command = try await ActionForms.command(action, input, req: req)
                _ = try await WorkOrderAccess.apply(req, orderId: orderId) { _ in command }
            }
        } catch {
            let problem = ProblemMiddleware.problem(for: error)
            guard problem.status != .internalServerError, problem.status != .notFound || problem.code == "assignment_not_found" else { throw error }
            req.headers.remove(name: .ifMatch)
            return try await page(req, problem: problem, values: values, failedAction: action)
        }
        // A form elsewhere (the supervision board) asks to come back to its own page.
        let back = ConsoleController.safeNext(try? req.content.get(String.self, at: "back"))
        let target = back == "/" ? "/orders/\(orderId.uuidString)" : back
        return req.redirect(to: target + (target.contains("?") ? "&" : "?") + "done=\(action)")
    }

    // MARK: Attachments

    struct AttachmentInput: Content {
        var file: File?
    }

    /// R-WO-8 from the order page: the same checks and storage as the API's upload.
    @Sendable func attach(req: Request) async throws -> Response {
        let orderId = try req.parameters.require("orderId", as: UUID.self)
        do {
            let file = try req.decodeBody(AttachmentInput.self).file
            let type = file?.contentType.map { "\($0.type)/\($0.subType)" }
            _ = try await AttachmentController.store(req, fileName: file?.filename, contentType: type, body: file?.data, typeField: "file")
            return req.redirect(to: "/orders/\(orderId.uuidString)?done=attach")
        } catch {
            let problem = ProblemMiddleware.problem(for: error)
            guard problem.status != .internalServerError, problem.status != .notFound else { throw error }
            return try await page(req, problem: problem)
        }
    }

    // MARK: Dispatch

    struct DispatchView: Encodable {
        struct Option: Encodable {
            var value: String
            var label: String
            var selected: Bool
        }

        struct Suggestion: Encodable {
            var id: String
            var name: String
            /// Why: the dispatch catalogue, or how many such orders the unit led lately.
            var why: String
        }

        var id: String
        var number: String
        var title: String
        var version: Int
        var summary: [OrderView.Pair]
        var units: [Option]
        var coUnits: [Option]
        var modes: [Option]
        var suggestions: [Suggestion]
        var amount: String
        var note: String
        var directAnswer: String
        var overrideReason: String
        /// After "preview": the deadline the dispatch would set, and whether it needs confirming.
        var preview: [OrderView.Pair]
        var previewed: Bool
        var conflict: Bool
    }

    struct DispatchInput: Content {
        var version: Int?
        var mode: String?
        var leadUnitId: String?
        var coUnitIds: [String]?
        var amount: String?
        var note: String?
        var directAnswer: String?
        var conflictOverrideReason: String?
        var confirm: String?
    }

    @Sendable func dispatchForm(req: Request) async throws -> Response {
        try await dispatchPage(req, input: DispatchInput())
    }

    @Sendable func dispatch(req: Request) async throws -> Response {
        let input = try req.decodeBody(DispatchInput.self)
        let orderId = try req.parameters.require("orderId", as: UUID.self)
        do {
            let plan = try await Self.plan(input, req: req)
            if input.confirm != "true" { return try await dispatchPage(req, input: input, previewOf: plan) }
            if let v = input.version { req.headers.replaceOrAdd(name: .ifMatch, value: "\"\(v)\"") }
            _ = try await WorkOrderAccess.apply(req, orderId: orderId) { _ in .dispatch(plan) }
            return req.redirect(to: "/orders/\(orderId.uuidString)?done=dispatch")
        } catch {
            let problem = ProblemMiddleware.problem(for: error)
            guard problem.status != .internalServerError else { throw error }
            req.headers.remove(name: .ifMatch)
            return try await dispatchPage(req, input: input, problem: problem)
        }
    }

    static func plan(_ input: DispatchInput, req: Request) async throws -> DispatchPlan {
        let f = ActionInput()
        let mode: HandlingMode = try f.choice(input.mode ?? HandlingMode.transfer.rawValue, "mode")
        let lead = try await Units.handling(try f.uuid(input.leadUnitId, "leadUnitId"), field: "leadUnitId", on: req.database)
        var co: [UnitRef] = []
        for id in (input.coUnitIds ?? []).filter({ !$0.isEmpty }) { co.append(try await Units.handling(try f.uuid(id, "coUnitIds"), field: "coUnitIds", on: req.database)) }
        var limit: TimeLimit?
        if let a = f.text(input.amount) {
            guard let n = Int(a), (0...365).contains(n) else { throw APIProblem.invalid("amount", "the time limit must be 0…365 working days") }
            limit = TimeLimit(n, .workingDays)
        }
        return DispatchPlan(
            mode: mode, lead: lead, coUnits: co, timeLimit: limit, conflictOverrideReason: f.text(input.conflictOverrideReason),
            directAnswer: f.text(input.directAnswer), note: f.text(input.note))
    }

    func dispatchPage(_ req: Request, input: DispatchInput, previewOf plan: DispatchPlan? = nil, problem: APIProblem? = nil) async throws -> Response {
        let principal = try req.principal(.dispatcher)
        let loaded = try await WorkOrderAccess.visible(req, principal: principal)
        let o = loaded.aggregate.order
        let lang = req.consoleLanguage
        func l(_ key: String) -> String { ConsoleStrings.label(key, lang) }
        let units = try await UnitModel.query(on: req.database).filter(\.$level == 2).filter(\.$active == true).sort(\.$name).all()
        let suggestions = try await Self.suggestions(req, for: o)
        let lead = input.leadUnitId ?? suggestions.first?.id ?? ""
        var preview: [OrderView.Pair] = []
        var conflict = false
        if let plan {
            // The rules compute the deadline: apply the plan to a copy and show what it sets.
            let lifecycle = try await RulesLoader(db: req.database, services: req.hotline).lifecycle(now: req.now)
            let t = try lifecycle.apply(.dispatch(plan), to: loaded.aggregate, by: principal.actor)
            if let leadShare = t.aggregate.lead {
                preview = [
                    .init(label: l("lead"), value: leadShare.unit.name), .init(label: l("signDueAt"), value: ConsoleFormat.time(leadShare.signDueAt)),
                    .init(label: l("timeLimit"), value: ConsoleFormat.limit(leadShare.timeLimit, lang)),
                    .init(label: l("deadline"), value: ConsoleFormat.time(leadShare.dueAt)),
                ]
            }
            conflict = plan.conflictOverrideReason != nil
        }
        if problem?.code == "conflict_of_interest" { conflict = true }
        let view = DispatchView(
            id: o.id.uuidString, number: o.number, title: o.title, version: o.version,
            summary: [
                .init(label: l("type"), value: l("type.\(o.requestType.rawValue)")), .init(label: l("category"), value: o.categoryCode),
                .init(label: l("place"), value: o.elements.place.address), .init(label: l("matter"), value: o.elements.matter),
                .init(label: l("urgency"), value: l("urgency.\(o.urgency.rawValue)")),
            ] + (o.leaderInstruction.map { [.init(label: l("instruction"), value: $0)] } ?? []),
            units: units.map { .init(value: $0.id!.uuidString, label: $0.name, selected: $0.id!.uuidString == lead) },
            coUnits: units.map { u in .init(value: u.id!.uuidString, label: u.name, selected: (input.coUnitIds ?? []).contains(u.id!.uuidString)) },
            modes: HandlingMode.allCases.filter { $0 != .escalated }.map { .init(value: $0.rawValue, label: l("mode.\($0.rawValue)"), selected: $0.rawValue == (input.mode ?? "transfer")) },
            suggestions: suggestions, amount: input.amount ?? "", note: input.note ?? "", directAnswer: input.directAnswer ?? "",
            overrideReason: input.conflictOverrideReason ?? "", preview: preview, previewed: plan != nil && problem == nil, conflict: conflict)
        return try await req.renderConsole("dispatch", title: "\(l("dispatchTo")) \(o.number)", view, problem: problem)
    }

    /// R-DIS-2: the dispatch catalogue's units for the category and place first (R-UNIT-4), then
    /// the units that led orders of the same category family in the same district over the
    /// last 90 days, most frequent first.
    static func suggestions(_ req: Request, for o: WorkOrder) async throws -> [DispatchView.Suggestion] {
        let lang = req.consoleLanguage
        var out = try await ConsoleNoticeController.catalogueUnits(req, categoryCode: o.categoryCode, division: o.elements.place.divisionCode)
            .map { DispatchView.Suggestion(id: $0.0.uuidString, name: $0.1, why: ConsoleStrings.label("catalogue", lang)) }
        for s in try await pastUnits(req, for: o) where !out.contains(where: { $0.id == s.id }) { out.append(s) }
        return out
    }

    static func pastUnits(_ req: Request, for o: WorkOrder) async throws -> [DispatchView.Suggestion] {
        let lang = req.consoleLanguage
        let since = req.now.addingTimeInterval(-90 * 86_400)
        let family = String(o.categoryCode.prefix(4))
        let sql = req.database as! any SQLDatabase
        var query: SQLQueryString = """
            SELECT a.unit_id, a.unit_name, COUNT(*) AS n FROM assignments a JOIN work_orders w ON w.id = a.work_order_id
            WHERE a.role = 'lead' AND a.unit_level = 2 AND w.category_code LIKE \(bind: family + "%") AND w.created_at >= \(bind: since)
            """
        if let division = o.elements.place.divisionCode, division.count >= 6 {
            query.appendInterpolation(unsafeRaw: " AND w.place_division_code LIKE ")
            query.appendInterpolation(bind: String(division.prefix(6)) + "%")
        }
        query.appendInterpolation(unsafeRaw: " GROUP BY a.unit_id, a.unit_name ORDER BY n DESC LIMIT 5")
        return try await sql.raw(query).all().map { row in
            let r = OrderRows.Reader(row: row)
            let n: Int = try r("n")
            return DispatchView.Suggestion(id: (try r("unit_id", as: UUID.self)).uuidString, name: try r("unit_name"), why: "\(n) " + ConsoleStrings.label("ordersCount", lang))
        }
    }
}
