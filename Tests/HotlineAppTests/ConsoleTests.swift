import Foundation
import HotlineCore
import Testing
import Vapor
import VaporTesting

@testable import HotlineApp

@Suite("The staff console ([console])")
struct ConsoleTests {
    /// A complete intake form for the test world, with `overrides` replacing fields.
    static func intakeForm(_ overrides: [String: String] = [:]) -> [(String, String)] {
        var f: [String: String] = [
            "channel": "phone", "requestType": "complaint", "categoryCode": "010101", "urgency": "normal", "title": "小区路灯不亮",
            "time": "2026-11-22晚", "divisionCode": "110105", "address": "朝阳区建国路88号", "people": "来电人及邻居",
            "matter": "小区路灯连续三晚不亮", "course": "已向物业反映未果", "wantedOutcome": "尽快修复", "citizenName": "张三",
            "citizenPhone": "13812345678", "wantsSecrecy": "on", "consentsToDisclosure": "on", "disposition": "dispatch",
        ]
        for (k, v) in overrides { f[k] = v }
        return f.sorted { $0.key < $1.key }
    }

    static func orderId(from response: TestingHTTPResponse) -> String? {
        guard let location = response.headers.first(name: .location), location.hasPrefix("/orders/") else { return nil }
        return String(location.dropFirst("/orders/".count).prefix(36))
    }

    @Test("Without a login every console page leads to the login form, which logs in and goes back")
    func login() async throws {
        try await withTestApp { app, w, _ in
            var r = try await app.page(.GET, "/inbox?bucket=overdue", as: nil, world: w)
            #expect(r.status == .seeOther)
            #expect(r.headers.first(name: .location) == "/login?next=/inbox%3Fbucket%3Doverdue")
            r = try await app.page(.GET, "/login", as: nil, world: w)
            #expect(r.status == .ok && r.body.string.contains("<h1>登录</h1>"))
            r = try await app.page(.POST, "/login", as: nil, world: w, form: [("username", "cy-handler"), ("password", "wrong"), ("next", "/inbox")])
            #expect(r.status == .unauthorized && r.body.string.contains("用户名或密码不正确"))
            #expect(r.body.string.contains("value=\"cy-handler\""), "the username is kept")
            r = try await app.page(.POST, "/login", as: nil, world: w, form: [("username", "cy-handler"), ("password", "password123"), ("next", "/inbox")])
            #expect(r.status == .seeOther && r.headers.first(name: .location) == "/inbox")
            #expect(r.headers.setCookie?["hotline_session"]?.string.isEmpty == false)
            // `next` never leaves the site.
            r = try await app.page(.POST, "/login", as: nil, world: w, form: [("username", "agent"), ("password", "password123"), ("next", "//evil.example/")])
            #expect(r.headers.first(name: .location) == "/")
            // Nor with a tab or a backslash that browsers would turn into another host.
            r = try await app.page(.POST, "/login", as: nil, world: w, form: [("username", "agent"), ("password", "password123"), ("next", "/\t/evil.example")])
            #expect(r.headers.first(name: .location) == "/")
            r = try await app.page(.GET, "/lang/en?next=/%5C/evil.example", as: nil, world: w)
            #expect(r.headers.first(name: .location) == "/")
            // A login form posted from another site is refused (login CSRF).
            r = try await app.page(.POST, "/login", as: nil, world: w, form: [("username", "agent"), ("password", "password123")], headers: [("Origin", "http://evil.example"), ("Host", "127.0.0.1:8080")])
            #expect(r.status == .forbidden && r.headers.setCookie?["hotline_session"] == nil)
            // The banner names only known actions: the query is anybody's to write.
            r = try await app.page(.GET, "/?done=%E4%BD%A0%E7%9A%84%E8%B4%A6%E5%8F%B7%E5%B7%B2%E5%86%BB%E7%BB%93", as: "agent", world: w)
            #expect(!r.body.string.contains("你的账号已冻结") && !r.body.string.contains("class=\"flash\""))
            // English on request.
            r = try await app.page(.GET, "/lang/en?next=/login", as: nil, world: w)
            #expect(r.headers.setCookie?["hotline_lang"]?.string == "en")
        }
    }

    @Test("The console's and portal's files are served; other paths are not read from disk")
    func publicFiles() async throws {
        try await withTestApp { app, w, _ in
            let css = try String(contentsOfFile: packageRoot + "/Public/console.css", encoding: .utf8)
            var r = try await app.page(.GET, "/console.css", as: nil, world: w)
            #expect(r.status == .ok && r.body.string == css)
            r = try await app.page(.GET, "/portal.css", as: nil, world: w)
            #expect(r.status == .ok && r.headers.contentType?.subType == "css")
            r = try await app.page(.GET, "/%63onsole.js", as: nil, world: w)
            #expect(r.status == .ok && r.body.readableBytes > 0, "a percent-encoded name is the same file")
            // Not a file under Public, nor a way out of it.
            r = try await app.page(.GET, "/nothing-here.css", as: nil, world: w)
            #expect(r.status == .notFound)
            r = try await app.page(.GET, "/../Package.swift", as: nil, world: w)
            #expect(r.status != .ok)
            r = try await app.page(.GET, "/Public/console.css", as: nil, world: w)
            #expect(r.status == .notFound)
        }
    }

    @Test("PublicFiles serves the files it listed at boot and asks the file system about no other path")
    func publicFilesListedAtBoot() async throws {
        let dir = NSTemporaryDirectory() + "hotline-public-\(UUID().uuidString)/"
        try FileManager.default.createDirectory(atPath: dir + "css", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "a {}".write(toFile: dir + "css/early.css", atomically: true, encoding: .utf8)
        let app = try await Application.make(.testing)
        app.middleware.use(PublicFiles(publicDirectory: dir))
        // A file that appears after boot is not served: only the listed paths reach FileMiddleware.
        try "b {}".write(toFile: dir + "late.css", atomically: true, encoding: .utf8)
        do {
            try await app.testing().test(.GET, "/css/early.css") { r in
                #expect(r.status == .ok && r.body.string == "a {}")
            }
            try await app.testing().test(.GET, "/late.css") { r in #expect(r.status == .notFound) }
            try await app.testing().test(.GET, "/css") { r in #expect(r.status == .notFound) }
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    @Test("Every role's pages render: workbench, queues, inbox tabs, intake, order, dispatch, search and CSV")
    func everyPageRenders() async throws {
        try await withTestApp { app, w, _ in
            // An order in hand at 朝阳, so unit pages have lines.
            let id = try #require(Self.orderId(from: try await app.page(.POST, "/intake", as: "agent", world: w, form: Self.intakeForm())))
            let pages: [(String, String, String)] = [
                ("agent", "/", "工作台"), ("agent", "/intake", "来电人历史工单"), ("agent", "/search?q=路灯", "小区路灯不亮"),
                ("agent", "/intake/history?phone=13812345678", "小区路灯不亮"),
                ("agent", "/intake/similar?phone=13812345678&categoryCode=010101&address=x&text=路灯", "并单"),
                ("dispatcher", "/", "待派单"), ("dispatcher", "/queues/dispatch", "小区路灯不亮"), ("dispatcher", "/orders/\(id)", "派单"),
                ("dispatcher", "/orders/\(id)/dispatch", "预览时限"), ("reviewer", "/queues/review", "待审核"), ("reviewer", "/queues/returns", "退单待审"), ("reviewer", "/queues/extensions", "延期待审"),
                ("callback", "/queues/callback", "待回访"), ("leader", "/queues/instruction", "待批示"),
                ("supervisor", "/supervision", "督办看板"), ("admin", "/", "工作台"),
                ("cy-handler", "/", "待签收"), ("cy-handler", "/inbox", "单位收件箱"), ("cy-leader", "/inbox?bucket=approvals", "待审批"),
                ("supervisor", "/search?status=pendingDispatch&light=green&from=2026-11-01&to=2026-11-30", "小区路灯不亮"),
            ]
            for (user, path, expected) in pages {
                let r = try await app.page(.GET, path, as: user, world: w)
                let body = r.body.string
                #expect(r.status == .ok, "\(user) \(path): \(r.status)")
                #expect(body.contains(expected), "\(user) \(path) shows \(expected)")
                #expect(!body.contains("#(") && !body.contains("#if") && !body.contains("#for"), "\(user) \(path): no Leaf left unrendered")
                if !path.hasPrefix("/intake/") {
                    #expect(r.headers.first(name: "Content-Security-Policy")?.contains("script-src 'self'") == true)
                }
            }
            let csv = try await app.page(.GET, "/search.csv?q=路灯", as: "supervisor", world: w)
            #expect(csv.headers.contentType?.subType == "csv")
            let lines = csv.body.string.split(separator: "\r\n")
            #expect(lines.count == 2 && lines[1].contains("小区路灯不亮") && lines[1].contains("138****5678"), "one line, citizen masked: \(lines)")
            // English pages.
            var english = try await app.page(.GET, "/lang/en?next=/", as: "dispatcher", world: w)
            #expect(english.status == .seeOther)
            english = try await app.testing().sendRequest(.GET, "/queues/dispatch", beforeRequest: { req in
                req.headers.cookie = ["hotline_session": .init(string: w.token("dispatcher")), "hotline_lang": .init(string: "en")]
            })
            #expect(english.body.string.contains("To dispatch"))
        }
    }

    @Test("A refused intake form comes back 422 with every field kept and messages in place; nothing is stored")
    func intakeValidation() async throws {
        try await withTestApp { app, w, _ in
            let r = try await app.page(.POST, "/intake", as: "agent", world: w, form: Self.intakeForm(["title": "", "matter": "", "citizenPhone": "12"]))
            #expect(r.status == .unprocessableEntity)
            let body = r.body.string
            #expect(body.contains("value=\"张三\""), "the name is kept")
            #expect(body.contains("value=\"朝阳区建国路88号\""), "the address is kept")
            #expect(body.contains("option value=\"010101\" selected"), "the category stays chosen")
            #expect(body.contains("必填"), "required fields say so")
            #expect(body.contains("电话须为 7–20 位数字"), "the phone rule is shown, in Chinese")
            let search = try await app.call(.GET, "/work-orders?phone=12", as: "supervisor", world: w)
            #expect(search.json.int("total") == 0)
            // A direct answer without an answer is refused before anything is stored.
            let r2 = try await app.page(.POST, "/intake", as: "agent", world: w, form: Self.intakeForm(["disposition": "directAnswer", "citizenPhone": "13900000001"]))
            #expect(r2.status == .unprocessableEntity && r2.body.string.contains("答复内容为必填项"))
            #expect(try await app.call(.GET, "/work-orders?phone=13900000001", as: "supervisor", world: w).json.int("total") == 0)
        }
    }

    @Test("Intake settles a call at once: a direct answer closes the order, a merge joins an open one; a refused settlement or a second click stores nothing more")
    func intakeSettles() async throws {
        try await withTestApp { app, w, _ in
            // A second click on the same form opens the order the first one stored.
            let once = Self.intakeForm(["citizenPhone": "13900000003", "formKey": "k-1"])
            let first = try #require(Self.orderId(from: try await app.page(.POST, "/intake", as: "agent", world: w, form: once)))
            #expect(Self.orderId(from: try await app.page(.POST, "/intake", as: "agent", world: w, form: once)) == first)
            #expect(try await app.call(.GET, "/work-orders?phone=13900000003", as: "supervisor", world: w).json.int("total") == 1)
            var r = try await app.page(.POST, "/intake", as: "agent", world: w, form: Self.intakeForm(["requestType": "consultation", "disposition": "directAnswer", "answer": "路灯报修电话为 96000。"]))
            #expect(r.status == .seeOther && r.headers.first(name: .location)?.hasSuffix("?done=directAnswer") == true)
            let answered = try #require(Self.orderId(from: r))
            #expect(try await app.call(.GET, "/work-orders/\(answered)", as: "agent", world: w).json.string("status") == "closed")
            let open = try #require(Self.orderId(from: try await app.page(.POST, "/intake", as: "agent", world: w, form: Self.intakeForm(["citizenPhone": "13900000002"]))))
            r = try await app.page(.POST, "/intake", as: "agent", world: w, form: Self.intakeForm(["citizenPhone": "13900000002", "disposition": "merge", "targetId": open]))
            let merged = try #require(Self.orderId(from: r))
            let m = try await app.call(.GET, "/work-orders/\(merged)", as: "agent", world: w).json
            #expect(m.string("status") == "closed" && m.string("disposition") == "merged" && m.string("mergedIntoId") == open.uppercased())
            // A merge into a closed order is refused by the rules before anything is stored.
            r = try await app.page(.POST, "/intake", as: "agent", world: w, form: Self.intakeForm(["citizenPhone": "13900000004", "disposition": "merge", "targetId": answered]))
            #expect(r.status == .conflict && r.body.string.contains("value=\"13900000004\""))
            #expect(try await app.call(.GET, "/work-orders?phone=13900000004", as: "supervisor", world: w).json.int("total") == 0)
        }
    }

    @Test("R-IN-3: intake links a new order to an earlier one, closed or open; it still goes to dispatch and both pages name the other")
    func intakeLinks() async throws {
        try await withTestApp { app, w, _ in
            var r = try await app.page(.POST, "/intake", as: "agent", world: w, form: Self.intakeForm(["citizenPhone": "13900000005", "requestType": "consultation", "disposition": "directAnswer", "answer": "已答复。"]))
            let earlier = try #require(Self.orderId(from: r))
            // The caller's history and the possible duplicates offer the closed order for a link, not a merge.
            let history = try await app.page(.GET, "/intake/history?phone=13900000005", as: "agent", world: w).body.string
            #expect(history.contains("data-disposition=\"link\" data-target=\"\(earlier.uppercased())\""))
            let similar = try await app.page(.GET, "/intake/similar?phone=13900000005", as: "agent", world: w).body.string
            #expect(similar.contains("data-disposition=\"link\"") && !similar.contains("data-disposition=\"merge\""))
            r = try await app.page(.POST, "/intake", as: "agent", world: w, form: Self.intakeForm(["citizenPhone": "13900000005", "disposition": "link", "targetId": earlier, "note": "路灯又坏了"]))
            #expect(r.headers.first(name: .location)?.hasSuffix("?done=link") == true)
            let linked = try #require(Self.orderId(from: r))
            let l = try await app.call(.GET, "/work-orders/\(linked)", as: "agent", world: w).json
            #expect(l.string("status") == "pendingDispatch", "a linked order is handled on its own")
            let page = try await app.page(.GET, "/orders/\(linked)", as: "agent", world: w).body.string
            #expect(page.contains("关联工单") && page.contains("/orders/\(earlier.uppercased())"))
            let other = try await app.page(.GET, "/orders/\(earlier)", as: "agent", world: w).body.string
            #expect(other.contains("被关联") && other.contains("/orders/\(linked.uppercased())"))
            // Through the API too; an order is not linked to itself, and a unit may not link.
            let selfLink = try await app.call(.POST, "/work-orders/\(linked)/link", as: "agent", world: w, json: ["targetId": linked])
            #expect(selfLink.status == .unprocessableEntity && selfLink.json.string("code") == "link_to_self")
            let byUnit = try await app.call(.POST, "/work-orders/\(linked)/link", as: "cy-handler", world: w, json: ["targetId": earlier])
            #expect(byUnit.status == .forbidden || byUnit.status == .notFound)
            let timeline = try await app.call(.GET, "/work-orders/\(earlier)/timeline", as: "agent", world: w)
            #expect(timeline.body.string.contains("linkedFrom"))
        }
    }

    @Test("The order page offers exactly the actions the rules allow this person now, and a refusal shows on the page")
    func exactlyTheActions() async throws {
        try await withTestApp { app, w, _ in
            let id = try #require(Self.orderId(from: try await app.page(.POST, "/intake", as: "agent", world: w, form: Self.intakeForm())))
            var r = try await app.page(.GET, "/orders/\(id)", as: "agent", world: w)
            var body = r.body.string
            #expect(body.contains("id=\"action-directAnswer\"") && body.contains("id=\"action-decline\""))
            #expect(!body.contains("/dispatch\""), "an agent does not dispatch")
            r = try await app.page(.GET, "/orders/\(id)", as: "reviewer", world: w)
            #expect(r.body.string.contains("当前没有您可办理的操作"))
            // An edit before dispatch (修改), from the form on the page, the place narrowed to a street.
            #expect(body.contains("id=\"action-edit\""))
            let v0 = try #require(try await app.call(.GET, "/work-orders/\(id)", as: "agent", world: w).json.int("version"))
            r = try await app.page(.POST, "/orders/\(id)/actions/edit", as: "agent", world: w, form: [
                ("version", "\(v0)"), ("title", "小区路灯不亮（已核实）"), ("requestType", "complaint"), ("categoryCode", "010101"), ("urgency", "normal"),
                ("time", "2026-11-22晚"), ("divisionCode", "110105001"), ("address", "朝阳区建国路88号南门"), ("people", "来电人"), ("matter", "小区路灯连续三晚不亮"),
                ("course", "已向物业反映未果"), ("wantedOutcome", "尽快修复"),
            ])
            #expect(r.status == .seeOther, "\(r.status)")
            let edited = try await app.call(.GET, "/work-orders/\(id)", as: "agent", world: w).json
            #expect(edited.string("title") == "小区路灯不亮（已核实）")
            #expect(((edited["elements"] as? [String: Any])?["place"] as? [String: Any])?.string("divisionCode") == "110105001", "the street chosen on the form")
            // Dispatch: preview first (the deadline the rules compute), then confirm.
            let version = try #require(try await app.call(.GET, "/work-orders/\(id)", as: "dispatcher", world: w).json.int("version"))
            let dispatch: [(String, String)] = [("version", "\(version)"), ("mode", "transfer"), ("leadUnitId", w.chaoyang.id!.uuidString)]
            r = try await app.page(.POST, "/orders/\(id)/dispatch", as: "dispatcher", world: w, form: dispatch)
            #expect(r.status == .ok && r.body.string.contains("办结期限") && r.body.string.contains("name=\"confirm\""))
            r = try await app.page(.POST, "/orders/\(id)/dispatch", as: "dispatcher", world: w, form: dispatch + [("confirm", "true")])
            #expect(r.status == .seeOther)
            // The unit handler may sign; the unit leader may not; nobody else sees the sign form.
            body = try await app.page(.GET, "/orders/\(id)", as: "cy-handler", world: w).body.string
            #expect(body.contains("id=\"action-sign\"") && body.contains("id=\"action-requestReturn\""))
            #expect(!body.contains("id=\"action-review\""))
            #expect(!(try await app.page(.GET, "/orders/\(id)", as: "cy-leader", world: w).body.string.contains("id=\"action-sign\"")))
            #expect(try await app.page(.GET, "/orders/\(id)", as: "hd-handler", world: w).status == .notFound, "another unit's order is not found")
            // A stale form is refused with a message on the page, not a stack trace.
            let detail = try await app.call(.GET, "/work-orders/\(id)", as: "cy-handler", world: w).json
            let assignment = try #require(detail.assignments.first?.string("id"))
            r = try await app.page(.POST, "/orders/\(id)/actions/sign", as: "cy-handler", world: w, form: [("version", "1"), ("assignmentId", assignment)])
            #expect(r.status == .conflict && r.body.string.contains("工单已被他人修改"))
            // A form post without the CSRF token is refused with a page.
            r = try await app.page(.POST, "/orders/\(id)/actions/sign", as: "cy-handler", world: w, form: [("version", "\(detail.int("version")!)"), ("assignmentId", assignment)], csrf: false)
            #expect(r.status == .forbidden && r.body.string.contains("表单已过期"))
            // A refused feedback keeps what was typed and names what is missing.
            _ = try await app.page(.POST, "/orders/\(id)/actions/sign", as: "cy-handler", world: w, form: [("version", "\(detail.int("version")!)"), ("assignmentId", assignment)])
            let v = try #require(try await app.call(.GET, "/work-orders/\(id)", as: "cy-handler", world: w).json.int("version"))
            r = try await app.page(.POST, "/orders/\(id)/actions/submitFeedback", as: "cy-handler", world: w, form: [
                ("version", "\(v)"), ("assignmentId", assignment), ("answer", "已修复路灯"), ("result", "solved"), ("contactMethod", "phone"),
                ("contactedAt", "2026-11-23T10:00"), ("citizenOpinion", ""), ("policyReferences", "无"), ("responsiblePerson", ""), ("responsiblePhone", ""),
            ])
            #expect(r.status == .unprocessableEntity)
            body = r.body.string
            #expect(body.contains("已修复路灯"), "the answer is kept")
            #expect(body.contains("responsiblePerson"), "the missing part is named")
        }
    }

    @Test("One order from intake to close through the console's forms, each role in turn, with the timeline to show for it")
    func intakeToClose() async throws {
        try await withTestApp { app, w, setClock in
            func version(_ id: String, _ user: String) async throws -> String {
                String(try #require(try await app.call(.GET, "/work-orders/\(id)", as: user, world: w).json.int("version")))
            }
            func lead(_ id: String, _ user: String) async throws -> String {
                try #require(try await app.call(.GET, "/work-orders/\(id)", as: user, world: w).json.assignments.first?.string("id"))
            }
            func post(_ id: String, _ action: String, as user: String, _ fields: [(String, String)]) async throws {
                let r = try await app.page(.POST, "/orders/\(id)/actions/\(action)", as: user, world: w, form: [("version", try await version(id, user))] + fields)
                #expect(r.status == .seeOther, "\(action) by \(user): \(r.status) \(r.body.string.prefix(400))")
                #expect(r.headers.first(name: .location) == "/orders/\(id)?done=\(action)")
            }
            let id = try #require(Self.orderId(from: try await app.page(.POST, "/intake", as: "agent", world: w, form: Self.intakeForm())))
            let r = try await app.page(.POST, "/orders/\(id)/dispatch", as: "dispatcher", world: w, form: [
                ("version", try await version(id, "dispatcher")), ("mode", "transfer"), ("leadUnitId", w.chaoyang.id!.uuidString), ("confirm", "true"),
            ])
            #expect(r.status == .seeOther)
            let a = try await lead(id, "cy-handler")
            try await post(id, "sign", as: "cy-handler", [("assignmentId", a)])
            try await post(id, "submitFeedback", as: "cy-handler", [
                ("assignmentId", a), ("answer", "经现场核实，路灯已修复。"), ("result", "solved"), ("contactMethod", "phone"), ("contactedAt", "2026-11-23T10:00"),
                ("citizenOpinion", "市民认可"), ("policyReferences", "无"), ("responsiblePerson", "李工"), ("responsiblePhone", "010-85000000"),
            ])
            try await post(id, "approveFeedback", as: "cy-leader", [("assignmentId", a), ("approve", "true")])
            try await post(id, "review", as: "reviewer", [("approve", "true")])
            setClock(Date(iso: "2026-11-24T10:00:00+08:00")!)
            try await post(id, "callback", as: "callback", [("method", "phone"), ("reached", "true"), ("satisfaction", "satisfied"), ("solved", "true")])
            let page = try await app.page(.GET, "/orders/\(id)", as: "supervisor", world: w).body.string
            #expect(page.contains("已办结"))
            var cursor = page.startIndex
            for step in ["受理", "派单", "签收", "提交反馈", "审批反馈", "审核", "回访"] {
                guard let found = page.range(of: "<strong>\(step)</strong>", range: cursor..<page.endIndex) else {
                    Issue.record("the timeline shows \(step) in order")
                    break
                }
                cursor = found.upperBound
            }
        }
    }

    @Test("Administration in the console: every page renders, and changes go through the API's own rules (R-ADM-1)")
    func administration() async throws {
        try await withTestApp { app, w, _ in
            #expect(try await app.page(.GET, "/admin", as: "agent", world: w).status == .forbidden, "only administrators")
            let pages: [(String, String)] = [
                ("/admin", "系统管理"), ("/admin/units", "朝阳区人民政府"), ("/admin/accounts", "cy-handler"),
                ("/admin/dictionaries/category", "010101"), ("/admin/dictionaries/channel", "由规则固定"), ("/admin/parameters", "sign.limit"),
                ("/admin/rules", "办理时限规则"), ("/admin/calendar?year=2026", "调休上班日"), ("/admin/access-log", "个人信息查看记录"),
            ]
            for (path, expected) in pages {
                let r = try await app.page(.GET, path, as: "admin", world: w)
                #expect(r.status == .ok && r.body.string.contains(expected), "\(path): \(r.status)")
                #expect(!r.body.string.contains("#("), "\(path) rendered")
            }
            // Parameters: refused with the rule on the page; accepted and in force.
            var r = try await app.page(.POST, "/admin/parameters/sign.limit", as: "admin", world: w, form: [("value", "soon")])
            #expect(r.status == .unprocessableEntity && r.body.string.contains("class=\"problem\""))
            r = try await app.page(.POST, "/admin/parameters/sign.limit", as: "admin", world: w, form: [("value", "2 workingDays")])
            #expect(r.status == .seeOther && r.headers.first(name: .location) == "/admin/parameters?done=save")
            #expect(try await app.call(.GET, "/parameters", as: "admin", world: w).array.first { $0.string("key") == "sign.limit" }?.string("value") == "2 workingDays")
            // Dictionaries: a new decline reason, then switched off.
            r = try await app.page(.POST, "/admin/dictionaries/declineReason", as: "admin", world: w, form: [("code", "consoleTest"), ("name", "控制台测试理由"), ("sort", "")])
            #expect(r.status == .seeOther)
            r = try await app.page(.POST, "/admin/dictionaries/declineReason/consoleTest", as: "admin", world: w, form: [("name", "控制台测试理由"), ("active", "false")])
            #expect(r.status == .seeOther)
            let reasons = try await app.call(.GET, "/dictionaries/declineReason", as: "admin", world: w).array
            #expect(reasons.first { $0.string("code") == "consoleTest" }?["active"] as? Bool == false)
            // Units: a street under 朝阳; the same code again is refused on the page.
            let unitForm: [(String, String)] = [("parentId", w.chaoyang.id!.uuidString), ("code", "hujialou"), ("name", "呼家楼街道"), ("kind", "street"), ("divisionCode", "")]
            r = try await app.page(.POST, "/admin/units", as: "admin", world: w, form: unitForm)
            #expect(r.status == .seeOther, "\(r.status) \(r.body.string.prefix(300))")
            r = try await app.page(.POST, "/admin/units", as: "admin", world: w, form: unitForm)
            #expect(r.status == .conflict && r.body.string.contains("value=\"呼家楼街道\""), "refused, the form kept")
            // Accounts: unit roles only in a unit.
            r = try await app.page(.POST, "/admin/accounts", as: "admin", world: w, form: [
                ("username", "jw-agent"), ("displayName", "建外话务"), ("password", "password123"), ("unitId", w.jianwai.id!.uuidString), ("role_agent", "on"),
            ])
            #expect(r.status == .unprocessableEntity && r.body.string.contains("单位账号只能有承办人和分管领导角色"))
            r = try await app.page(.POST, "/admin/accounts", as: "admin", world: w, form: [
                ("username", "jw-handler2"), ("displayName", "建外承办二"), ("password", "password123"), ("unitId", w.jianwai.id!.uuidString), ("role_unitHandler", "on"),
            ])
            #expect(r.status == .seeOther)
            #expect(try await app.page(.POST, "/login", as: nil, world: w, form: [("username", "jw-handler2"), ("password", "password123")]).status == .seeOther)
            // Time-limit rules: added, then deleted.
            r = try await app.page(.POST, "/admin/rules", as: "admin", world: w, form: [("requestType", "help"), ("urgency", ""), ("categoryPrefix", ""), ("amount", "3"), ("unit", "workingDays")])
            #expect(r.status == .seeOther)
            let rules = try await app.call(.GET, "/time-limit-rules", as: "admin", world: w).array
            let rule = try #require(rules.first { $0.string("requestType") == "help" }?.string("id"))
            r = try await app.page(.POST, "/admin/rules/\(rule)/delete", as: "admin", world: w, form: [])
            #expect(r.status == .seeOther)
            #expect(try await app.call(.GET, "/time-limit-rules", as: "admin", world: w).array.allSatisfy { $0.string("id") != rule })
            // Calendar: a new year's notice imported; a broken file refused on the page.
            let notice = #"{"year": 2027, "papers": [], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, {"name": "春节", "date": "2027-02-07", "isOffDay": false}]}"#
            r = try await app.page(.POST, "/admin/calendar", as: "admin", world: w, form: [("content", notice)])
            #expect(r.status == .seeOther && r.headers.first(name: .location) == "/admin/calendar?year=2027&done=save")
            #expect(try await app.call(.GET, "/calendar/years/2027", as: "admin", world: w).json["hasData"] as? Bool == true)
            r = try await app.page(.POST, "/admin/calendar", as: "admin", world: w, form: [("content", "{not json")])
            #expect(r.status == .unprocessableEntity && r.body.string.contains("{not json"))
        }
    }

    @Test("Every code the console shows has a Chinese label, and every English word a Chinese one")
    func labels() {
        var keys: [String] = []
        keys += WorkOrderStatus.allCases.map { "status.\($0.rawValue)" } + AssignmentStatus.allCases.map { "asg.\($0.rawValue)" }
        keys += RequestType.allCases.map { "type.\($0.rawValue)" } + HotlineCore.Channel.allCases.map { "channel.\($0.rawValue)" }
        keys += Urgency.allCases.map { "urgency.\($0.rawValue)" } + WarningLight.allCases.map { "light.\($0.rawValue)" }
        keys += Role.allCases.map { "role.\($0.rawValue)" } + ContactMethod.allCases.map { "contact.\($0.rawValue)" }
        keys += Satisfaction.allCases.map { "sat.\($0.rawValue)" } + SupervisionMethod.allCases.map { "sup.\($0.rawValue)" }
        keys += HandlingResult.allCases.map { "result.\($0.rawValue)" } + TimeLimitUnit.allCases.map { "limit.\($0.rawValue)" }
        keys += HandlingMode.allCases.map { "mode.\($0.rawValue)" } + QueueController.Bucket.allCases.filter { $0 != .redo }.map(\.rawValue)
        let actions = ["edit", "directAnswer", "decline", "guide", "escalate", "instruct", "dispatch", "sign", "recordContact", "requestReturn",
            "approveReturn", "decideReturn", "subDispatch", "reviewSubAnswer", "submitOpinion", "requestExtension", "approveExtension",
            "decideExtension", "submitFeedback", "approveFeedback", "review", "remind", "supervise", "closeSupervision", "callback", "close",
            "appeal", "archive", "intake", "merge", "assign", "calendarWarning", "flagSensitive", "mergedIn", "cancelAssignment",
            "awaitRedispatch", "awaitReview", "awaitCallback", "redo", "attach", "link", "linkedFrom"]
            + ["autoRemind", "lateSign", "notifyLeader", "autoSupervise", "returnWindowClosed", "sensitiveAlert", "dispatchOverdue", "callbackOverdue", "callbackReply"]
        keys += actions.map { "action.\($0)" }
        for key in keys { #expect(ConsoleStrings.zh[key] != nil, "no Chinese for \(key)") }
        for key in ConsoleStrings.en.keys { #expect(ConsoleStrings.zh[key] != nil, "\(key) is English only") }
    }

    @Test("Every rule the sources can refuse with has Chinese words in the console, with fields, actions and states named in Chinese")
    func ruleMessagesInChinese() throws {
        // The rules' literals, read from the sources: `rule: "…"`, `.invalid(field, "…")`,
        // `.forbidden("…")`; an interpolation stands for any filled-in part.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let literal = #/(?:rule:\s*|\.invalid\(\s*(?:"[^"]*"|[^,()"]+),\s*|\.forbidden\(\s*)"((?:[^"\\]|\\\((?:[^()]|\([^()]*\))*\)|\\.)*)"/#
        let interpolation = #/\\\((?:[^()]|\([^()]*\))*\)/#
        var rules: Set<String> = []
        let files = FileManager.default.enumerator(at: root.appendingPathComponent("Sources"), includingPropertiesForKeys: nil)!
        for case let url as URL in files where url.pathExtension == "swift" {
            for m in try String(contentsOf: url, encoding: .utf8).matches(of: literal) {
                rules.insert(String(m.1).replacing(interpolation, with: "x"))
            }
        }
        #expect(rules.count > 100, "the sources were read")
        for rule in rules.sorted() { #expect(RuleMessages.zh(rule) != nil, "no Chinese for the rule: \(rule)") }
        #expect(RuleMessages.zh("elements.matter is required") == "事由为必填项")
        #expect(RuleMessages.zh("dispatch is not allowed when the status is closed") == "工单状态为“已办结”时不能派单")
        #expect(RuleMessages.zh("merge needs one of the roles agent, dispatcher") == "并单需要以下角色之一：话务员、派单员")
        #expect(RuleMessages.zh("an extension may not exceed 5 working days (R-UH-6)") == "延期不能超过 5 个工作日（R-UH-6）")
        #expect(RuleMessages.zh("something new") == nil && RuleMessages.text("something new", .zh) == "something new")
        #expect(RuleMessages.text("title is required", .en) == "title is required")
    }

    @Test("Notices for the place appear at intake (R-IN-5); the dispatch catalogue leads the dispatcher's suggestions (R-UNIT-4)")
    func noticesAndCatalogue() async throws {
        try await withTestApp { app, w, _ in
            let notice: [(String, String)] = [
                ("kind", "water"), ("title", "建外街道计划停水"), ("area", "建国门外大街以南"), ("divisionCode", "110105"),
                ("startsAt", "2026-11-23T08:00"), ("endsAt", "2026-11-24T20:00"),
            ]
            var r = try await app.page(.POST, "/notices", as: "cy-handler", world: w, form: notice)
            #expect(r.status == .seeOther)
            r = try await app.page(.POST, "/notices", as: "hd-handler", world: w, form: notice + [("unitId", w.chaoyang.id!.uuidString)])
            #expect(r.status == .forbidden, "a unit files for itself only")
            r = try await app.page(.POST, "/notices", as: "cy-handler", world: w, form: [("kind", "power"), ("title", "停电"), ("area", "某处"), ("startsAt", "2026-11-24T08:00"), ("endsAt", "2026-11-23T08:00")])
            #expect(r.status == .unprocessableEntity && r.body.string.contains("结束时间须晚于开始时间"))
            #expect(try await app.page(.GET, "/notices", as: "agent", world: w).body.string.contains("建外街道计划停水"))
            // A street of the district sees the district's notice; another district does not.
            #expect(try await app.page(.GET, "/intake/notices?divisionCode=110105001", as: "agent", world: w).body.string.contains("建外街道计划停水"))
            #expect(!(try await app.page(.GET, "/intake/notices?divisionCode=110108001", as: "agent", world: w).body.string.contains("建外街道计划停水")))
            // Without a login the fragment answers 401, not a login page to embed.
            #expect(try await app.page(.GET, "/intake/notices?divisionCode=110105", as: nil, world: w).status == .unauthorized)
            // The catalogue names 海淀 for street lights in 朝阳 (on purpose not the unit past orders suggest).
            r = try await app.page(.POST, "/admin/catalogue", as: "admin", world: w, form: [("categoryPrefix", "0101"), ("divisionPrefix", "110105"), ("unitId", w.haidian.id!.uuidString), ("note", "")])
            #expect(r.status == .seeOther)
            r = try await app.page(.POST, "/admin/catalogue", as: "admin", world: w, form: [("categoryPrefix", "9999"), ("unitId", w.haidian.id!.uuidString)])
            #expect(r.status == .unprocessableEntity && r.body.string.contains("categoryPrefix"))
            #expect(try await app.page(.GET, "/admin/catalogue", as: "admin", world: w).body.string.contains("海淀区人民政府"))
            let id = try #require(Self.orderId(from: try await app.page(.POST, "/intake", as: "agent", world: w, form: Self.intakeForm())))
            let page = try await app.page(.GET, "/orders/\(id)/dispatch", as: "dispatcher", world: w).body.string
            #expect(page.contains("海淀区人民政府（派单目录）"), "the catalogue's unit is suggested")
            #expect(page.contains("<option value=\"\(w.haidian.id!.uuidString)\" selected>"), "and chosen as the lead to start with")
            // The same through the API (checked against openapi.yaml).
            let listed = try await app.call(.GET, "/notices?divisionCode=110105001", as: "agent", world: w).array
            #expect(listed.contains { $0.string("title") == "建外街道计划停水" })
            #expect(try await app.call(.GET, "/notices?divisionCode=110108", as: "agent", world: w).array.isEmpty)
            var api = try await app.call(.POST, "/notices", as: "hd-handler", world: w, json: [
                "unitId": w.chaoyang.id!.uuidString, "kind": "power", "title": "停电", "area": "某处", "startsAt": "2026-11-23T08:00:00+08:00", "endsAt": "2026-11-23T18:00:00+08:00",
            ])
            #expect(api.status == .forbidden)
            api = try await app.call(.POST, "/notices", as: "hd-handler", world: w, json: [
                "kind": "power", "title": "中关村停电", "area": "中关村大街", "divisionCode": "110108", "startsAt": "2026-11-23T08:00:00+08:00", "endsAt": "2026-11-23T18:00:00+08:00",
            ])
            #expect(api.status == .created && api.json.string("unitId") == w.haidian.id!.uuidString)
            let suggested = try await app.call(.GET, "/dispatch-catalogue/suggestions?categoryCode=010101&divisionCode=110105", as: "dispatcher", world: w).array
            #expect(suggested.first?.string("unitName") == "海淀区人民政府")
            #expect(try await app.call(.GET, "/dispatch-catalogue/suggestions?categoryCode=010101&divisionCode=110108", as: "dispatcher", world: w).array.isEmpty)
            let entry = try #require(try await app.call(.GET, "/dispatch-catalogue", as: "agent", world: w).array.first?.string("id"))
            #expect(try await app.call(.DELETE, "/dispatch-catalogue/\(entry)", as: "dispatcher", world: w).status == .forbidden)
            #expect(try await app.call(.DELETE, "/dispatch-catalogue/\(entry)", as: "admin", world: w).status == .noContent)
            // The catalogue names level-2 units only: they are whom dispatch picks as lead.
            api = try await app.call(.POST, "/dispatch-catalogue", as: "admin", world: w, json: ["categoryPrefix": "0101", "unitId": w.jianwai.id!.uuidString])
            #expect(api.status == .unprocessableEntity && api.json.string("field") == "unitId")
            // A notice filed for tomorrow is listed as upcoming, not yet shown at intake; a notice
            // runs at most 90 days; the filing unit can withdraw its own, another unit cannot.
            r = try await app.page(.POST, "/notices", as: "cy-handler", world: w, form: [
                ("kind", "roadwork"), ("title", "建国路夜间施工"), ("area", "建国路"), ("divisionCode", "110105"), ("startsAt", "2026-11-24T22:00"), ("endsAt", "2026-11-25T06:00"),
            ])
            #expect(r.status == .seeOther)
            #expect(try await app.page(.GET, "/notices", as: "cy-handler", world: w).body.string.contains("建国路夜间施工"))
            #expect(!(try await app.page(.GET, "/intake/notices?divisionCode=110105", as: "agent", world: w).body.string.contains("建国路夜间施工")))
            #expect(try await app.call(.GET, "/notices?upcoming=true", as: "agent", world: w).array.contains { $0.string("title") == "建国路夜间施工" })
            api = try await app.call(.POST, "/notices", as: "cy-handler", world: w, json: [
                "kind": "water", "title": "长期停水", "area": "某处", "startsAt": "2026-11-23T08:00:00+08:00", "endsAt": "2027-11-23T08:00:00+08:00",
            ])
            #expect(api.status == .unprocessableEntity && api.json.string("field") == "endsAt")
            let water = try #require(listed.first { $0.string("title") == "建外街道计划停水" }?.string("id"))
            #expect(try await app.call(.POST, "/notices/\(water)/withdraw", as: "hd-handler", world: w).status == .forbidden)
            r = try await app.page(.POST, "/notices/\(water)/withdraw", as: "cy-handler", world: w, form: [])
            #expect(r.status == .seeOther)
            #expect(!(try await app.call(.GET, "/notices?divisionCode=110105", as: "agent", world: w).array.contains { $0.string("id") == water }))
        }
    }

    @Test("Attachments from the order page: stored with the API's checks, listed, downloadable; a refused type says so on the page (R-WO-8)")
    func attachments() async throws {
        try await withTestApp { app, w, _ in
            let id = try #require(Self.orderId(from: try await app.page(.POST, "/intake", as: "agent", world: w, form: Self.intakeForm())))
            func upload(_ name: String, _ type: String, _ bytes: [UInt8], csrf: Bool = true) async throws -> TestingHTTPResponse {
                let boundary = "hotline-test-boundary"
                var body = ByteBuffer()
                if csrf { body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ncsrf-agent\r\n") }
                body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: \(type)\r\n\r\n")
                body.writeBytes(bytes)
                body.writeString("\r\n--\(boundary)--\r\n")
                return try await app.testing().sendRequest(.POST, "/orders/\(id)/attachments", beforeRequest: { req in
                    req.headers.replaceOrAdd(name: .accept, value: "text/html")
                    req.headers.cookie = ["hotline_session": .init(string: w.token("agent"))]
                    req.headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
                    req.body = body
                })
            }
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4]
            var r = try await upload("现场照片.png", "image/png", png)
            #expect(r.status == .seeOther && r.headers.first(name: .location) == "/orders/\(id)?done=attach")
            let page = try await app.page(.GET, "/orders/\(id)", as: "agent", world: w).body.string
            #expect(page.contains("现场照片.png") && page.contains("上传附件"), "listed, and on the timeline")
            let detail = try await app.call(.GET, "/work-orders/\(id)", as: "agent", world: w).json
            let attachment = try #require((detail["attachments"] as? [[String: Any]])?.first?.string("id"))
            let file = try await app.page(.GET, "/api/v1/attachments/\(attachment)", as: "agent", world: w)
            #expect(file.status == .ok && Array(file.body.readableBytesView) == png, "the link downloads the same bytes")
            r = try await upload("setup.exe", "application/x-msdownload", [0x4D, 0x5A])
            #expect(r.status == .unsupportedMediaType && r.body.string.contains("允许的类型"))
            r = try await upload("again.png", "image/png", png, csrf: false)
            #expect(r.status == .forbidden, "an upload form needs the CSRF token too")
            #expect((try await app.call(.GET, "/work-orders/\(id)", as: "agent", world: w).json["attachments"] as? [[String: Any]])?.count == 1)
        }
    }
}
