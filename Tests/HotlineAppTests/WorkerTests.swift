import Fluent
import Foundation
import HotlineCore
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import HotlineApp

/// Keeps what it is asked to send.
final class RecordingSender: MessageSender, Sendable {
    let sent = NIOLockedValueBox<[Outbox.Claimed]>([])
    func send(_ message: Outbox.Claimed) async throws { sent.withLockedValue { $0.append(message) } }
}

@Suite("The worker: clocks that act and the outbox ([clocks], R-SUP-1, R-SUP-3, R-INT-1)")
struct WorkerTests {
    static func phones(_ app: Application, _ w: World) async throws {
        let sql = app.db as! any SQLDatabase
        try await sql.raw("UPDATE units SET liaison_phone = '13800000001' WHERE id = \(bind: w.chaoyang.id!)").run()
        for (user, phone) in [("cy-handler", "13800000002"), ("cy-leader", "13800000003"), ("supervisor", "13800000004"), ("dispatcher", "13800000005")] {
            try await sql.raw("UPDATE accounts SET phone = \(bind: phone) WHERE username = \(bind: user)").run()
        }
    }

    static func timeline(_ app: Application, _ w: World, _ id: String) async throws -> [String] {
        try await app.call(.GET, "/work-orders/\(id)/timeline", as: "supervisor", world: w).array.compactMap { $0["action"] as? String }
    }

    @Test("A pinned clock walks a dispatched order through late sign, yellow, red and the ladder: each once, on its working day, with its messages")
    func ladder() async throws {
        try await withTestApp { app, w, setClock in
            try await Self.phones(app, w)
            // A consultation (2 working days) dispatched Mon 2026-11-23: due at the end of Wed 11-25.
            let id = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody(type: "consultation")).json.string("id")!
            try await app.call(.POST, "/work-orders/\(id)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": w.chaoyang.id!.uuidString])
            let sender = RecordingSender()
            let worker = Worker(app: app, sender: sender)
            func round(_ at: String) async throws -> Worker.Round {
                setClock(Date(iso: at)!)
                return try await worker.round(now: app.hotline.now)
            }
            #expect(try await round("2026-11-24T18:00:00+08:00") == Worker.Round(sent: 1), "nothing is due on Tuesday evening; the citizen's acceptance SMS goes out")
            var r = try await round("2026-11-25T00:00:01+08:00")
            #expect(r.taken == 3, "late sign, the return window and yellow at midnight into Wednesday")
            #expect(try await round("2026-11-25T00:00:02+08:00") == Worker.Round(), "a second round takes nothing twice")
            r = try await round("2026-11-26T00:00:01+08:00")
            #expect(r.taken == 1, "red as the deadline passes")
            r = try await round("2026-11-26T08:59:00+08:00")
            #expect(r.taken == 0)
            r = try await round("2026-11-26T09:00:00+08:00")
            #expect(r.taken == 1, "the leader at office opening on the next working day")
            r = try await round("2026-11-27T09:00:00+08:00")
            #expect(r.taken == 0)
            r = try await round("2026-11-30T09:00:00+08:00")
            #expect(r.taken == 1, "supervision on the 3rd working day after: Thu, Fri, Mon")
            let actions = try await Self.timeline(app, w, id)
            #expect(actions.filter { ["lateSign", "returnWindowClosed", "autoRemind", "notifyLeader", "autoSupervise"].contains($0) }
                == ["lateSign", "returnWindowClosed", "autoRemind", "autoRemind", "notifyLeader", "autoSupervise"])
            let order = try await app.call(.GET, "/work-orders/\(id)", as: "supervisor", world: w).json
            let asg = try #require(order.assignments.first)
            #expect(asg["reminderCount"] as? Int == 3 && asg["signedLate"] as? Bool == true)
            #expect((order["supervisions"] as? [[String: Any]])?.count == 1)
            // Every message went out once, each to its person, with the text filled in.
            let sent = sender.sent.withLockedValue { $0 }
            #expect(sent.map(\.template).sorted() == [
                "citizen.accepted", "escalate.leader", "remind.lateSign", "remind.lateSign", "remind.red", "remind.red", "remind.yellow", "remind.yellow",
                "supervise.overdue", "supervise.overdue",
            ])
            #expect(Set(sent.filter { $0.template == "remind.red" }.map(\.recipient)) == ["13800000001", "13800000002"])
            #expect(sent.first { $0.template == "escalate.leader" }?.recipient == "13800000003")
            let red = try #require(sent.first { $0.template == "remind.red" })
            #expect(red.body.contains("已于11月25日 23:59超期") && red.body.contains("朝阳区人民政府"), "\(red.body)")
            let states = try await (app.db as! any SQLDatabase).raw("SELECT state FROM outbox").all().map { try $0.decode(column: "state", as: String.self) }
            #expect(states.count == 10 && states.allSatisfy { $0 == "sent" })
        }
    }

    @Test("Across National Day and its 调休 Saturday: nothing acts in the holiday, each step lands on its working day")
    func ladderAcrossHoliday() async throws {
        try await withTestApp(at: "2026-09-30T09:00:00+08:00") { app, w, setClock in
            try await Self.phones(app, w)
            // A consultation (2 working days) dispatched Wed 2026-09-30, the eve of 国庆节
            // (10-01…10-07 off, Sat 10-10 worked): the working days are Thu 10-08 and Fri 10-09,
            // so it is due at the end of Friday.
            let id = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody(type: "consultation")).json.string("id")!
            let dispatched = try await app.call(.POST, "/work-orders/\(id)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": w.chaoyang.id!.uuidString])
            #expect(dispatched.json.string("dueAt") == "2026-10-09T15:59:59Z", "end of Fri 10-09 in Beijing")
            let worker = Worker(app: app, sender: RecordingSender())
            func taken(_ at: String) async throws -> [String] {
                setClock(Date(iso: at)!)
                let before = try await Self.timeline(app, w, id).count
                _ = try await worker.round(now: app.hotline.now)
                return Array(try await Self.timeline(app, w, id).dropFirst(before))
                    .filter { ["lateSign", "returnWindowClosed", "autoRemind", "notifyLeader", "autoSupervise"].contains($0) }
            }
            #expect(try await taken("2026-10-01T00:00:01+08:00") == [], "the holiday's first midnight: the sign limit runs to the end of the first working day")
            #expect(try await taken("2026-10-07T23:59:00+08:00") == [], "nothing acts in the holiday")
            #expect(try await taken("2026-10-08T23:59:00+08:00") == [])
            #expect(try await taken("2026-10-09T00:00:01+08:00").sorted() == ["autoRemind", "lateSign", "returnWindowClosed"], "Friday, the last working day, starts yellow")
            #expect(try await taken("2026-10-10T00:00:01+08:00") == ["autoRemind"], "red as Friday ends")
            #expect(try await taken("2026-10-10T08:59:00+08:00") == [])
            #expect(try await taken("2026-10-10T09:00:00+08:00") == ["notifyLeader"], "the leader on the next working day: the 调休 Saturday")
            #expect(try await taken("2026-10-12T09:00:00+08:00") == [], "Sat, then Sun off, Mon is the 2nd working day")
            #expect(try await taken("2026-10-13T09:00:00+08:00") == ["autoSupervise"], "supervision on the 3rd working day after: Sat, Mon, Tue")
        }
    }

    @Test("Signing and feedback in time leave the clocks nothing to do; a moved deadline's old moments never act")
    func staleTimers() async throws {
        try await withTestApp { app, w, setClock in
            let id = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody(type: "consultation")).json.string("id")!
            let lead = try await app.call(.POST, "/work-orders/\(id)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": w.chaoyang.id!.uuidString]).json.assignments[0].string("id")!
            try await app.call(.POST, "/assignments/\(lead)/sign", as: "cy-handler", world: w)
            let worker = Worker(app: app, sender: RecordingSender())
            setClock(Date(iso: "2026-11-25T00:00:01+08:00")!)
            let r = try await worker.round(now: app.hotline.now)
            #expect(r.taken == 2, "yellow and the closed return window; signed in time, no late sign")
            let pending = try await (app.db as! any SQLDatabase).raw("SELECT kind FROM clock_timers WHERE state = 'pending' ORDER BY due_at").all().map { try $0.decode(column: "kind", as: String.self) }
            #expect(pending == ["redReminder", "notifyLeader", "superviseOverdue"])
        }
    }

    @Test("The sweep mends only orders whose moments are not the ones wanted: after a bulk load, a changed escalation step, never a taken moment twice")
    func sweep() async throws {
        try await withTestApp { app, w, setClock in
            let sql = app.db as! any SQLDatabase
            func stored() async throws -> [String: String] {
                var out: [String: String] = [:]
                for row in try await sql.raw("SELECT \"key\", state, due_at FROM clock_timers").all() {
                    out[try row.decode(column: "key", as: String.self)] = "\(try row.decode(column: "state", as: String.self)) \(try row.decode(column: "due_at", as: Date.self))"
                }
                return out
            }
            _ = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody(type: "consultation"))
            let id = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody(type: "consultation")).json.string("id")!
            try await app.call(.POST, "/work-orders/\(id)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": w.chaoyang.id!.uuidString])
            let worker = Worker(app: app, sender: RecordingSender())
            let open = try await sql.raw("SELECT COUNT(*) AS n FROM work_orders WHERE status NOT IN ('closed', 'archived')").first()!.decode(column: "n", as: Int.self)

            var t = try await worker.sweep(now: app.hotline.now)
            #expect(t.orders == open && t.mended == 0, "the fingerprints written with each change match the sweep's narrow read")
            let made = try await stored()
            #expect(made.count == 1 + 6, "the waiting order's dispatch alarm; the dispatched one's six moments")

            // A bulk load (or an upgrade) leaves orders without moments or fingerprints.
            try await sql.raw("DELETE FROM clock_timers").run()
            try await sql.raw("UPDATE work_orders SET timers_digest = NULL").run()
            t = try await worker.sweep(now: app.hotline.now)
            #expect(t.mended == open)
            #expect(try await stored() == made, "the sweep makes exactly what the changes made")
            #expect(try await worker.sweep(now: app.hotline.now).mended == 0)

            // Yellow, late sign, the return window and the other order's dispatch alarm are taken;
            // the sweep must not bring them back.
            setClock(Date(iso: "2026-11-25T00:00:01+08:00")!)
            let round = try await worker.round(now: app.hotline.now)
            #expect(round.taken == 4, "\(round)")
            try await sql.raw("UPDATE work_orders SET timers_digest = NULL").run()
            t = try await worker.sweep(now: app.hotline.now)
            #expect(t.mended == open)
            let afterRound = try await stored()
            #expect(afterRound.count == made.count && afterRound.values.filter { $0.hasPrefix("done") }.count == 4, "\(afterRound)")

            // The leader is now told on the 2nd working day after the deadline: the same moment
            // (its key names the deadline) at a new time, mended in place by the sweep.
            try await app.call(.PUT, "/parameters/escalation.leaderAfterWorkingDays", as: "admin", world: w, json: ["value": "2"])
            t = try await worker.sweep(now: app.hotline.now)
            #expect(t.mended == 1, "only the dispatched order's moments depend on the step")
            let moved = try await stored()
            #expect(Set(moved.keys) == Set(afterRound.keys))
            let leader = try #require(moved.keys.first { $0.hasPrefix("notifyLeader:") })
            #expect(afterRound[leader]!.hasPrefix("pending 2026-11-26 01:00:00") && moved[leader]!.hasPrefix("pending 2026-11-27 01:00:00"), "\(moved[leader]!)")
            #expect(try await worker.sweep(now: app.hotline.now).mended == 0)

            // A moment claimed, then moved later (by a change or a sweep) before the worker
            // finished it, is not taken at the time it was claimed: it waits for its new time.
            setClock(Date(iso: "2026-11-26T09:00:00+08:00")!)
            let now = app.hotline.now
            let claimed = try await ClockTimers(db: app.db).claim(now: now, limit: 10, lease: 60)
            let red = try #require(claimed.first { $0.timer.kind == .redReminder })
            try await sql.raw("UPDATE clock_timers SET due_at = \(bind: now.addingTimeInterval(3600)) WHERE id = \(bind: red.id)").run()
            #expect(try await ClockTimers(db: app.db).finish(red.id, state: "done", at: now) == false)
            #expect(try await stored()[red.timer.key]?.hasPrefix("pending") == true)

            // The stripes walked side by side cover every id once, in order.
            let low = UUID.timeOrdered(Date(timeIntervalSince1970: 1_700_000_000)), high = UUID.timeOrdered(Date(timeIntervalSince1970: 1_800_000_000))
            let stripes = ClockTimers.Stripe.cut(low: low, high: high, count: 3)
            #expect(stripes.count == 3 && stripes.first?.after == nil && stripes.last?.through == nil)
            for (a, b) in zip(stripes, stripes.dropFirst()) { #expect(a.through != nil && a.through == b.after && a.through!.text < b.through.map(\.text) ?? "G") }
            func stripe(of id: UUID) -> [Int] {
                stripes.indices.filter { i in (stripes[i].after.map { id.text > $0.text } ?? true) && (stripes[i].through.map { id.text <= $0.text } ?? true) }
            }
            for seconds in stride(from: 1_700_000_000.0, through: 1_800_000_000, by: 2_500_000) { #expect(stripe(of: UUID.timeOrdered(Date(timeIntervalSince1970: seconds))).count == 1) }
            #expect(stripe(of: low) == [0] && stripe(of: high) == [2])
            #expect(ClockTimers.Stripe.cut(low: low, high: low, count: 2) == [ClockTimers.Stripe(after: nil, through: nil)])
        }
    }

    @Test("Two workers on one database take each due timer once between them")
    func twoWorkers() async throws {
        try await withTestApp { app, w, setClock in
            var ids: [String] = []
            for i in 0..<6 {
                let id = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody(phone: "1390000000\(i)", type: "consultation")).json.string("id")!
                try await app.call(.POST, "/work-orders/\(id)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": w.chaoyang.id!.uuidString])
                ids.append(id)
            }
            setClock(Date(iso: "2026-11-30T10:00:00+08:00")!)
            let a = Worker(app: app, sender: RecordingSender(), options: .init(batch: 4))
            let b = Worker(app: app, sender: RecordingSender(), options: .init(batch: 4))
            var total = Worker.Round()
            while true {
                async let ra = a.round(now: app.hotline.now)
                async let rb = b.round(now: app.hotline.now)
                let (x, y) = try await (ra, rb)
                if x.taken + y.taken + x.obsolete + y.obsolete == 0 { break }
                total.taken += x.taken + y.taken
                total.obsolete += x.obsolete + y.obsolete
            }
            // Per order: late sign, return window, yellow, red, leader, supervision.
            #expect(total.taken == 6 * 6)
            for id in ids {
                let actions = try await Self.timeline(app, w, id)
                #expect(actions.filter { $0 == "autoRemind" }.count == 2 && actions.filter { $0 == "autoSupervise" }.count == 1)
            }
        }
    }

    @Test("An SMS gateway on loopback that is down, then failing, then up: every message arrives exactly once, signed; dead ones wait for an administrator's retry")
    func gateway() async throws {
        let secret = "gateway-secret-0123456789"
        let accepted = NIOLockedValueBox<[String: Int]>([:])
        let calls = NIOLockedValueBox(0)
        let badSignatures = NIOLockedValueBox(0)
        let gateway = try await Application.make(.testing)
        gateway.post("down") { _ -> HTTPStatus in .serviceUnavailable }
        gateway.post("sms") { req -> HTTPStatus in
            let body = Data(buffer: req.body.data ?? ByteBuffer())
            let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))).map { String(format: "%02x", $0) }.joined()
            guard req.headers.first(name: "X-Hotline-Signature") == "sha256=" + mac, let id = req.headers.first(name: "X-Hotline-Message-Id") else {
                badSignatures.withLockedValue { $0 += 1 }
                return .unauthorized
            }
            // The first three deliveries fail, as a gateway under load would.
            guard calls.withLockedValue({ $0 += 1; return $0 }) > 3 else { return .internalServerError }
            accepted.withLockedValue { $0[id, default: 0] += 1 }
            return .ok
        }
        try await gateway.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(gateway.http.server.shared.localAddress?.port)
        do {
            try await withTestApp { app, w, setClock in
                try await Self.phones(app, w)
                let id = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody(type: "consultation")).json.string("id")!
                try await app.call(.POST, "/work-orders/\(id)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": w.chaoyang.id!.uuidString])
                let key = SymmetricKey(data: Data(secret.utf8))
                func sender(_ path: String) -> WebhookSender { WebhookSender(client: app.client, url: URI(string: "http://127.0.0.1:\(port)/\(path)"), secret: key) }
                var now = Date(iso: "2026-11-25T00:00:01+08:00")!
                func at(_ seconds: TimeInterval) -> Date { setClock(now.addingTimeInterval(seconds)); return app.hotline.now }
                // The gateway is down: two attempts each, then dead.
                let down = Worker(app: app, sender: sender("down"), options: .init(maxAttempts: 2))
                var r = try await down.round(now: at(0))
                #expect(r.taken == 3 && r.failed == 5, "the citizen's acceptance; late sign and yellow to liaison and handler each")
                #expect(try await down.round(now: at(1)).failed == 0, "not before the pause")
                #expect(try await down.round(now: at(6)).failed == 5)
                let sql = app.db as! any SQLDatabase
                func states() async throws -> [String] { try await sql.raw("SELECT state FROM outbox ORDER BY id").all().map { try $0.decode(column: "state", as: String.self) } }
                #expect(try await states() == ["dead", "dead", "dead", "dead", "dead"])
                #expect(try await down.round(now: at(3600)).failed == 0, "dead messages are not tried again by themselves")
                // An administrator retries them; the gateway is up but fails three deliveries.
                let dead = try await app.call(.GET, "/outbox?state=dead", as: "admin", world: w).json
                #expect(dead.int("total") == 5)
                for item in dead.items { #expect(try await app.call(.POST, "/outbox/\(item.string("id")!)/retry", as: "admin", world: w).status == .ok) }
                now = now.addingTimeInterval(3600)
                let up = Worker(app: app, sender: sender("sms"))
                r = try await up.round(now: at(0))
                #expect(r.sent == 2 && r.failed == 3)
                r = try await up.round(now: at(6))
                #expect(r.sent == 3 && r.failed == 0)
                #expect(try await states() == ["sent", "sent", "sent", "sent", "sent"])
                #expect(try await up.round(now: at(60)) == Worker.Round())
                let ids = try await sql.raw("SELECT id FROM outbox").all().map { try $0.decode(column: "id", as: UUID.self).uuidString }
                #expect(accepted.withLockedValue { $0 } == Dictionary(uniqueKeysWithValues: ids.map { ($0, 1) }), "each message arrived exactly once")
                #expect(badSignatures.withLockedValue { $0 } == 0)
            }
        } catch {
            await gateway.server.shutdown()
            try await gateway.asyncShutdown()
            throw error
        }
        await gateway.server.shutdown()
        try await gateway.asyncShutdown()
    }

    @Test("Sensitive words at intake alert the supervisors through the outbox; undispatched orders alert the dispatchers")
    func intakeAlerts() async throws {
        try await withTestApp { app, w, setClock in
            try await Self.phones(app, w)
            var body = intakeBody()
            body["title"] = "邻里纠纷扬言跳楼"
            let id = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: body).json.string("id")!
            let sender = RecordingSender()
            let worker = Worker(app: app, sender: sender)
            #expect(try await worker.round(now: app.hotline.now).taken == 1)
            #expect(sender.sent.withLockedValue { $0.map(\.template) } == ["citizen.accepted", "alert.sensitive"])
            // 8 working hours from Monday 09:00 (7 office hours a day): Tuesday 10:00.
            setClock(Date(iso: "2026-11-24T09:59:00+08:00")!)
            #expect(try await worker.round(now: app.hotline.now).taken == 0)
            setClock(Date(iso: "2026-11-24T10:00:00+08:00")!)
            #expect(try await worker.round(now: app.hotline.now).taken == 1)
            #expect(sender.sent.withLockedValue { $0.last?.recipient } == "13800000005")
            #expect(try await Self.timeline(app, w, id).contains("dispatchOverdue"))
        }
    }
}

@Suite("The outbox and templates in the console ([clocks] 5, R-ADM-1)")
struct OutboxConsoleTests {
    @Test("The outbox page lists messages by state with a retry button for dead ones; templates are edited with their placeholders checked")
    func pages() async throws {
        try await withTestApp { app, w, setClock in
            try await WorkerTests.phones(app, w)
            var body = intakeBody()
            body["title"] = "扬言跳楼"
            _ = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: body)
            struct Failing: MessageSender { func send(_ m: Outbox.Claimed) async throws { throw Abort(.badGateway) } }
            _ = try await Worker(app: app, sender: Failing(), options: .init(maxAttempts: 1)).round(now: app.hotline.now)
            var r = try await app.page(.GET, "/admin/outbox?state=dead", as: "admin", world: w)
            #expect(r.status == .ok && r.body.string.contains("发送失败") && r.body.string.contains("alert.sensitive") && r.body.string.contains("138****0004"))
            let id = try #require(try await app.call(.GET, "/outbox?state=dead", as: "admin", world: w).json.items.first?.string("id"))
            #expect(r.body.string.contains("/admin/outbox/\(id)/retry"))
            // A supervisor sees the outbox but cannot retry.
            #expect(!(try await app.page(.GET, "/admin/outbox?state=dead", as: "supervisor", world: w).body.string.contains("/retry\"")))
            r = try await app.page(.POST, "/admin/outbox/\(id)/retry", as: "admin", world: w, form: [])
            #expect(r.status == .seeOther)
            #expect(try await app.call(.GET, "/outbox?state=pending", as: "admin", world: w).json.int("total") == 1)
            // Templates: a new text is used for the next message; an invented placeholder is refused on the page.
            r = try await app.page(.POST, "/admin/templates/alert.sensitive", as: "admin", world: w, form: [("body", "【12345】请关注工单{number}：{nonsense}")])
            #expect(r.status == .unprocessableEntity && r.body.string.contains("{nonsense}") && r.body.string.contains("此短信不填写"))
            r = try await app.page(.POST, "/admin/templates/alert.sensitive", as: "admin", world: w, form: [("body", "【12345】请关注敏感工单{number}")])
            #expect(r.status == .seeOther)
            #expect(try await app.page(.GET, "/admin/templates", as: "admin", world: w).body.string.contains("请关注敏感工单{number}"))
            body["title"] = "又一次扬言跳楼"
            body["citizen"] = ["name": "李四", "phone": "13900001111", "wantsSecrecy": false, "anonymous": false, "consentsToDisclosure": false]
            let second = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: body).json
            let sender = RecordingSender()
            _ = try await Worker(app: app, sender: sender).round(now: app.hotline.now)
            #expect(sender.sent.withLockedValue { $0.map(\.body) }.contains("【12345】请关注敏感工单\(second.string("number")!)"))
        }
    }
}

@Suite("The citizen's messages and SMS callback replies (R-INT-1, R-UH-6, R-CB-2)")
struct CitizenMessageTests {
    /// An order through to awaiting its callback, for `phone`.
    static func answered(_ app: Application, _ w: World, phone: String) async throws -> String {
        let id = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody(phone: phone)).json.string("id")!
        let lead = try await app.call(.POST, "/work-orders/\(id)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": w.chaoyang.id!.uuidString]).json.assignments[0].string("id")!
        try await app.call(.POST, "/assignments/\(lead)/sign", as: "cy-handler", world: w)
        let feedback: [String: Any] = [
            "answer": "已更换路灯并恢复照明", "result": "solved", "contactMethod": "phone", "contactedAt": "2026-11-23T10:00:00+08:00",
            "citizenOpinion": "满意", "policyReferences": "无", "responsiblePerson": "李四", "responsiblePhone": "010-85000000",
        ]
        try await app.call(.POST, "/assignments/\(lead)/feedback", as: "cy-handler", world: w, json: feedback)
        try await app.call(.POST, "/assignments/\(lead)/feedback-approval", as: "cy-leader", world: w, json: ["approve": true])
        let r = try await app.call(.POST, "/work-orders/\(id)/review", as: "reviewer", world: w, json: ["approve": true])
        #expect(r.json.string("status") == "awaitingCallback")
        return id
    }

    static func sms(_ app: Application, from: String, text: String, secret: String = smsTestSecret) async throws -> TestingHTTPResponse {
        let body = try JSONSerialization.data(withJSONObject: ["from": from, "text": text])
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))).map { String(format: "%02x", $0) }.joined()
        var result: TestingHTTPResponse?
        try await app.testing().test(.POST, "/api/v1/sms/inbound", beforeRequest: { req in
            req.headers.contentType = .json
            req.headers.replaceOrAdd(name: "X-Hotline-Signature", value: "sha256=" + mac)
            req.body = ByteBuffer(data: body)
        }, afterResponse: { result = $0 })
        return result!
    }

    @Test("The citizen is told of acceptance and of the answer with the callback question, in the same write as the change")
    func told() async throws {
        try await withTestApp { app, w, _ in
            let id = try await Self.answered(app, w, phone: "13700000001")
            let sql = app.db as! any SQLDatabase
            let rows = try await sql.raw("SELECT template, body, recipient FROM outbox WHERE work_order_id = \(bind: UUID(uuidString: id)!) ORDER BY created_at, id").all()
            let templates = try rows.map { try $0.decode(column: "template", as: String.self) }
            #expect(templates == ["citizen.accepted", "citizen.answered"])
            let answered = try rows[1].decode(column: "body", as: String.self)
            #expect(answered.contains("已更换路灯并恢复照明") && answered.contains("1非常满意"))
            #expect(try rows.allSatisfy { try $0.decode(column: "recipient", as: String.self) == "13700000001" })
        }
    }

    @Test("A signed reply 1–3 closes the order as its callback; 4–5 is recorded for an agent; a bad signature or a stray text changes nothing")
    func replies() async throws {
        try await withTestApp { app, w, _ in
            let happy = try await Self.answered(app, w, phone: "13700000002")
            let unhappy = try await Self.answered(app, w, phone: "13700000003")
            #expect(try await Self.sms(app, from: "13700000002", text: "2", secret: "wrong-secret-0123456789").status == .unauthorized)
            #expect(try await app.call(.GET, "/work-orders/\(happy)", as: "callback", world: w).json.string("status") == "awaitingCallback")
            var r = try await Self.sms(app, from: "13700000002", text: " 2 ")
            #expect(r.status == .ok && r.json.string("outcome") == "callback")
            let closed = try await app.call(.GET, "/work-orders/\(happy)", as: "callback", world: w).json
            #expect(closed.string("status") == "closed")
            let cb = closed["callback"] as? [String: Any]
            #expect(cb?["method"] as? String == "sms" && cb?["satisfaction"] as? String == "satisfied" && cb?["solved"] as? Bool == true)
            r = try await Self.sms(app, from: "13700000003", text: "4N")
            #expect(r.json.string("outcome") == "callbackReply")
            #expect(try await app.call(.GET, "/work-orders/\(unhappy)", as: "callback", world: w).json.string("status") == "awaitingCallback", "an agent judges it")
            #expect(try await WorkerTests.timeline(app, w, unhappy).contains("callbackReply"))
            #expect(try await Self.sms(app, from: "13700000002", text: "1").json.string("outcome") == "ignored", "no order waits for this number now")
            #expect(try await Self.sms(app, from: "13700000003", text: "谢谢").json.string("outcome") == "ignored")
        }
    }
}
