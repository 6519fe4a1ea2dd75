import Foundation
import HotlineCore
import SQLKit
import Testing
import VaporTesting
@testable import HotlineApp

extension Application {
    /// A portal form as a browser without a staff session sends it: multipart when files go
    /// with it, URL-encoded otherwise.
    func portal(_ method: HTTPMethod, _ path: String, form: [(String, String)]? = nil, files: [(name: String, filename: String, type: String, data: [UInt8])] = [], cookie: String? = nil) async throws -> TestingHTTPResponse {
        var result: TestingHTTPResponse?
        try await self.testing().test(method, path, beforeRequest: { req in
            req.headers.replaceOrAdd(name: .accept, value: "text/html")
            if let cookie { req.headers.replaceOrAdd(name: .cookie, value: cookie) }
            guard let form else { return }
            if files.isEmpty {
                var allowed = CharacterSet.alphanumerics
                allowed.insert(charactersIn: "-._~")
                req.headers.contentType = .urlEncodedForm
                req.body = ByteBuffer(string: form.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&"))
            } else {
                let boundary = "----hotline-test-boundary"
                var body = ByteBuffer()
                for (k, v) in form {
                    body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n")
                }
                for f in files {
                    body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(f.name)\"; filename=\"\(f.filename)\"\r\nContent-Type: \(f.type)\r\n\r\n")
                    body.writeBytes(f.data)
                    body.writeString("\r\n")
                }
                body.writeString("--\(boundary)--\r\n")
                req.headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
                req.body = body
            }
        }, afterResponse: { res in result = res })
        return result!
    }

    func count(_ sql: String) async throws -> Int {
        try await (db as! any SQLDatabase).raw(SQLQueryString(sql)).first()!.decode(column: "n", as: Int.self)
    }
}

extension TestingHTTPResponse {
    /// The text of the element with this id on a rendered page.
    func element(_ id: String) -> String? {
        let html = body.string
        guard let start = html.range(of: "id=\"\(id)\">") else { return nil }
        let rest = html[start.upperBound...]
        return rest.range(of: "<").map { String(rest[..<$0.lowerBound]) }
    }
}

@Suite("The public portal: submit, track, rate, appeal, disclosure (R-CIT-1…4)", .serialized)
struct PortalTests {
    /// Submits and follows the redirect to the receipt as a browser does (post, redirect,
    /// get, with the receipt cookie): the number and the secret shown.
    static func submitted(_ app: Application, _ form: [(String, String)] = Self.form(), files: [(name: String, filename: String, type: String, data: [UInt8])] = []) async throws -> (number: String, secret: String) {
        let posted = try await app.portal(.POST, "/portal/submit", form: form, files: files)
        #expect(posted.status == .seeOther && posted.headers.first(name: .location) == "/portal/accepted")
        let cookie = try #require(posted.headers.setCookie?[PortalController.receiptCookie]?.string)
        let receipt = try await app.portal(.GET, "/portal/accepted", cookie: "\(PortalController.receiptCookie)=\(cookie)")
        #expect(receipt.status == .ok && receipt.headers.first(name: .cacheControl) == "no-store")
        return (try #require(receipt.element("number")), try #require(receipt.element("secret")))
    }

    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array("JFIF test image".utf8)

    static func form(_ changes: [(String, String)] = []) -> [(String, String)] {
        var f: [(String, String)] = [
            ("requestType", "complaint"), ("categoryCode", "040102"), ("title", "楼上夜间噪音"),
            ("description", "楼上每晚11点后拖动家具，我叫王芳，电话13800001111"), ("time", "每晚23点后"), ("address", "朝阳区建国路88号3单元"),
            ("name", "王芳"), ("phone", "13800001111"), ("consentsToDisclosure", "on"),
        ]
        for (k, v) in changes { f.removeAll { $0.0 == k }; if !v.isEmpty || k == "phone" { f.append((k, v)) } }
        return f
    }

    /// Dispatch, sign, answer, approve and review: the order waits for its callback.
    static func answer(_ app: Application, _ w: World, number: String) async throws -> String {
        let id = try #require(try await app.call(.GET, "/work-orders?number=\(number)", as: "agent", world: w).json.items.first?["id"] as? String)
        // A web order lacks elements an agent completes before dispatch.
        let order = try await app.call(.GET, "/work-orders/\(id)", as: "agent", world: w)
        var elements = order.json["elements"] as? [String: Any] ?? [:]
        elements["people"] = "楼上住户"
        elements["wantedOutcome"] = "停止夜间噪音"
        try await app.call(.PATCH, "/work-orders/\(id)", as: "agent", world: w, json: ["elements": elements], headers: [("If-Match", "\"\(order.json.int("version")!)\"")])
        let lead = try await app.call(.POST, "/work-orders/\(id)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": w.chaoyang.id!.uuidString]).json.assignments[0].string("id")!
        try await app.call(.POST, "/assignments/\(lead)/sign", as: "cy-handler", world: w)
        let feedback: [String: Any] = [
            "answer": "经办人李明已上门劝导楼上住户王芳邻居，联系电话010-85001234，噪音已停止。", "result": "solved", "contactMethod": "phone",
            "contactedAt": "2026-11-23T10:00:00+08:00", "citizenOpinion": "认可", "policyReferences": "《噪声污染防治法》", "responsiblePerson": "李明",
            "responsiblePhone": "010-85001234",
        ]
        try await app.call(.POST, "/assignments/\(lead)/feedback", as: "cy-handler", world: w, json: feedback)
        try await app.call(.POST, "/assignments/\(lead)/feedback-approval", as: "cy-leader", world: w, json: ["approve": true])
        let r = try await app.call(.POST, "/work-orders/\(id)/review", as: "reviewer", world: w, json: ["approve": true])
        #expect(r.json.string("status") == "awaitingCallback")
        return id
    }

    @Test("Submitting stores a web-channel order with its photo and an SMS carrying the number and secret; bad input stores nothing")
    func submit() async throws {
        try await withTestApp { app, w, _ in
            #expect(try await app.portal(.GET, "/portal").status == .ok)
            let blank = try await app.portal(.GET, "/portal/submit")
            #expect(blank.status == .ok && blank.body.string.contains("value=\"040102\""))
            #expect(blank.headers.first(name: "Content-Security-Policy") != nil)

            let bad: [([(String, String)], [(name: String, filename: String, type: String, data: [UInt8])], String, HTTPResponseStatus)] = [
                (Self.form([("phone", "")]), [], "phone", .unprocessableEntity),
                (Self.form([("description", String(repeating: "吵", count: 4001))]), [], "description", .unprocessableEntity),
                (Self.form([("categoryCode", "999999")]), [], "categoryCode", .unprocessableEntity),
                (Self.form(), [("photos[]", "notes.txt", "image/jpeg", Array("not an image".utf8))], "photos", .unsupportedMediaType),
                (Self.form(), Array(repeating: ("photos[]", "a.jpg", "image/jpeg", Self.jpeg), count: 4), "photos", .unprocessableEntity),
            ]
            for (form, files, field, status) in bad {
                let r = try await app.portal(.POST, "/portal/submit", form: form, files: files)
                #expect(r.status == status, "\(field)")
                #expect(r.body.string.contains("class=\"field-error\""), "\(field) is named next to its input")
                #expect(r.body.string.contains("楼上夜间噪音"), "what was typed comes back")
            }
            let orders = try await app.orderCount(), attachments = try await app.count("SELECT COUNT(*) AS n FROM attachments")
            #expect(orders == 0 && attachments == 0)

            let (number, secret) = try await Self.submitted(app, files: [("photos[]", "楼道.jpg", "image/jpeg", Self.jpeg)])
            #expect(QuerySecret.isWellFormed(secret))
            #expect(try await app.portal(.GET, "/portal/accepted").status == .seeOther, "without the receipt cookie, no receipt")
            let id = try #require(try await app.call(.GET, "/work-orders?number=\(number)", as: "agent", world: w).json.items.first?["id"] as? String)
            let order = try await app.call(.GET, "/work-orders/\(id)", as: "agent", world: w)
            #expect(order.json.string("channel") == "web" && order.json.string("status") == "pendingDispatch" && order.json.string("requestType") == "complaint")
            #expect((order.json["attachments"] as? [[String: Any]])?.first?["contentType"] as? String == "image/jpeg")
            let sms = try await (app.db as! any SQLDatabase).raw("SELECT body FROM outbox WHERE template = 'citizen.accepted'").all().map { try $0.decode(column: "body", as: String.self) }
            #expect(sms == ["【12345】您的诉求已受理，工单编号\(number)，查询密码\(secret)，可凭编号和密码在网上查询办理进度。"])
            // Staff see the message without the secret: it is the citizen's alone.
            let outbox = try await app.call(.GET, "/outbox?state=pending", as: "admin", world: w)
            let shown = outbox.json.items.compactMap { $0["body"] as? String }.filter { $0.contains(number) }
            #expect(shown == ["【12345】您的诉求已受理，工单编号\(number)，查询密码********，可凭编号和密码在网上查询办理进度。"])
            // The acceptance text keeps its number and secret.
            let edited = try await app.call(.PUT, "/message-templates/citizen.accepted", as: "admin", world: w, json: ["body": "【12345】已受理，编号{number}。"])
            #expect(edited.status == .unprocessableEntity && edited.json.string("rule") == "this message must keep {secret}")
            // A valid edit is used by the very next intake (the texts are cached with the rules,
            // loaded here just before the edit).
            _ = try await app.hotline.rules.snapshot(on: app.db)
            let saved = try await app.call(.PUT, "/message-templates/citizen.accepted", as: "admin", world: w, json: ["body": "【12345】已受理，编号{number}，密码{secret}。"])
            #expect(saved.status == .ok)
            let (next, nextSecret) = try await Self.submitted(app)
            let nextSMS = try await (app.db as! any SQLDatabase).raw("SELECT body FROM outbox WHERE template = 'citizen.accepted'").all().map { try $0.decode(column: "body", as: String.self) }
            #expect(nextSMS.contains("【12345】已受理，编号\(next)，密码\(nextSecret)。"), "\(nextSMS)")
        }
    }

    @Test("Tracking by number and secret; five wrong secrets lock the order for 15 minutes, even against the right one")
    func track() async throws {
        try await withTestApp { app, _, setClock in
            let (number, secret) = try await Self.submitted(app)
            let found = try await app.portal(.POST, "/portal/track", form: [("number", number), ("secret", secret.lowercased())])
            #expect(found.status == .ok && found.element("stage") == "已受理，待分派")
            #expect(!found.body.string.contains("rate-form"), "nothing to rate before an answer")
            #expect(try await app.portal(.POST, "/portal/track", form: [("number", number), ("secret", "2222")]).status == .unprocessableEntity, "a malformed secret is bad input")
            for _ in 0..<4 {
                #expect(try await app.portal(.POST, "/portal/track", form: [("number", number), ("secret", "22222222")]).status == .notFound)
            }
            #expect(try await app.portal(.POST, "/portal/track", form: [("number", number), ("secret", "22222222")]).status == .tooManyRequests)
            let locked = try await app.portal(.POST, "/portal/track", form: [("number", number), ("secret", secret)])
            #expect(locked.status == .tooManyRequests && locked.body.string.contains("查询密码错误次数过多"))
            #expect(try await app.portal(.POST, "/portal/track", form: [("number", "20990101000001"), ("secret", secret)]).status == .notFound, "an unknown number answers as a wrong secret does")
            setClock(app.hotline.now.addingTimeInterval(15 * 60))
            #expect(try await app.portal(.POST, "/portal/track", form: [("number", number), ("secret", secret)]).status == .ok)
        }
    }

    @Test("The citizen rates the answer online (closing the order) and appeals; the wrong secret changes nothing")
    func rateAndAppeal() async throws {
        try await withTestApp { app, w, _ in
            let (number, secret) = try await Self.submitted(app)
            let id = try await Self.answer(app, w, number: number)
            let page = try await app.portal(.POST, "/portal/track", form: [("number", number), ("secret", secret)])
            #expect(page.element("stage") == "已答复，待评价" && page.body.string.contains("rate-form") && page.body.string.contains("噪音已停止"))

            let forged = try await app.portal(.POST, "/portal/track/rate", form: [("number", number), ("secret", "22222222"), ("satisfaction", "veryUnsatisfied"), ("solved", "false")])
            #expect(forged.status == .notFound)
            #expect(try await app.call(.GET, "/work-orders/\(id)", as: "agent", world: w).json.string("status") == "awaitingCallback")
            let noChoice = try await app.portal(.POST, "/portal/track/rate", form: [("number", number), ("secret", secret), ("solved", "true")])
            #expect(noChoice.status == .unprocessableEntity)

            let rated = try await app.portal(.POST, "/portal/track/rate", form: [("number", number), ("secret", secret), ("satisfaction", "satisfied"), ("solved", "true"), ("comment", "处理及时")])
            #expect(rated.status == .ok && rated.body.string.contains("感谢您的评价") && rated.element("stage") == "已办结" && rated.element("rated") == "满意，已解决")
            let order = try await app.call(.GET, "/work-orders/\(id)", as: "agent", world: w)
            #expect(order.json.string("status") == "closed")
            #expect((order.json["callback"] as? [String: Any])?["method"] as? String == "web")
            #expect(rated.body.string.contains("appeal-form"))

            let appealed = try await app.portal(.POST, "/portal/track/appeal", form: [("number", number), ("secret", secret), ("reason", "夜里又开始拖家具了")])
            #expect(appealed.status == .ok && appealed.element("stage") == "复核中")
            let after = try await app.call(.GET, "/work-orders/\(id)", as: "agent", world: w)
            #expect(after.json.string("status") == "awaitingReview" && after.json["appealPending"] as? Bool == true)
            let timeline = try await app.call(.GET, "/work-orders/\(id)/timeline", as: "agent", world: w)
            #expect(timeline.body.string.contains("\"by\":\"citizen\""))
        }
    }

    @Test("An unsatisfied rating waits for a callback agent: the form goes, a second rating is refused")
    func unsatisfied() async throws {
        try await withTestApp { app, w, _ in
            let (number, secret) = try await Self.submitted(app)
            let id = try await Self.answer(app, w, number: number)
            let rated = try await app.portal(.POST, "/portal/track/rate", form: [("number", number), ("secret", secret), ("satisfaction", "veryUnsatisfied"), ("solved", "false")])
            #expect(rated.status == .ok && rated.body.string.contains("回访员将联系您了解情况"))
            #expect(rated.element("rated") == "非常不满意，未解决（回访员将联系您）" && !rated.body.string.contains("rate-form"))
            let again = try await app.portal(.POST, "/portal/track/rate", form: [("number", number), ("secret", secret), ("satisfaction", "satisfied"), ("solved", "true")])
            #expect(again.status == .conflict && again.body.string.contains("您的评价已记录"))
            #expect(try await app.call(.GET, "/work-orders/\(id)", as: "agent", world: w).json.string("status") == "awaitingCallback", "left for the callback agent")
        }
    }

    @Test("Publishing: only a closed, consented order, masked everywhere on the public side; withdrawn, it is gone")
    func disclosure() async throws {
        try await withTestApp { app, w, _ in
            let (number, secret) = try await Self.submitted(app)
            let id = try await Self.answer(app, w, number: number)
            var r = try await app.call(.PUT, "/work-orders/\(id)/publication", as: "reviewer", world: w, json: [:])
            #expect(r.status == .conflict && r.json.string("code") == "not_closed")
            _ = try await app.portal(.POST, "/portal/track/rate", form: [("number", number), ("secret", secret), ("satisfaction", "satisfied"), ("solved", "true")])

            r = try await app.call(.GET, "/work-orders/\(id)/publication", as: "reviewer", world: w)
            #expect(r.json["published"] as? Bool == false && r.json["refusal"] == nil)
            #expect(r.json.string("matter") == "楼上每晚11点后拖动家具，我叫王*，电话138****1111")
            #expect(r.json.string("answer") == "经办人李*已上门劝导楼上住户王*邻居，联系电话010****1234，噪音已停止。")
            #expect(try await app.call(.PUT, "/work-orders/\(id)/publication", as: "cy-handler", world: w, json: [:]).status == .forbidden)
            r = try await app.call(.PUT, "/work-orders/\(id)/publication", as: "reviewer", world: w, json: ["title": "王芳反映楼上噪音"])
            #expect(r.status == .ok && r.json.string("title") == "王*反映楼上噪音", "an edit is masked again")

            let list = try await app.portal(.GET, "/portal/disclosures")
            #expect(list.body.string.contains("/portal/disclosures/\(number)") && !list.body.string.contains("王芳"))
            let page = try await app.portal(.GET, "/portal/disclosures/\(number)")
            #expect(page.status == .ok && page.body.string.contains("噪音已停止") && page.body.string.contains("朝阳区建国路**号*单元"))
            for personal in ["王芳", "13800001111", "85001234", "李明", "88号"] { #expect(!page.body.string.contains(personal), "\(personal) is masked") }

            let open311 = try await app.open311(.GET, "/open311/v2/requests/\(number).json")
            let request = try #require(open311.array.first)
            #expect(request["status"] as? String == "closed" && (request["status_notes"] as? String)?.contains("李*") == true)
            #expect(request["agency_responsible"] as? String == w.chaoyang.name)

            // The console shows the reviewer the published copy; withdrawing takes it off every public page.
            let console = try await app.page(.GET, "/orders/\(id)", as: "reviewer", world: w)
            #expect(console.body.string.contains("id=\"publication\"") && console.body.string.contains("撤回公开"))
            let withdrawn = try await app.page(.POST, "/orders/\(id)/publication/withdraw", as: "reviewer", world: w, form: [])
            #expect(withdrawn.status == .seeOther)
            #expect(try await app.portal(.GET, "/portal/disclosures/\(number)").status == .notFound)
            #expect(try await app.open311(.GET, "/open311/v2/requests/\(number).json").status == .notFound)
            #expect(try await app.call(.DELETE, "/work-orders/\(id)/publication", as: "reviewer", world: w).status == .conflict)

            // Published again, then appealed: off the public side until it is closed again.
            #expect(try await app.call(.PUT, "/work-orders/\(id)/publication", as: "reviewer", world: w, json: [:]).status == .ok)
            #expect(try await app.portal(.GET, "/portal/disclosures/\(number)").status == .ok)
            let appealed = try await app.portal(.POST, "/portal/track/appeal", form: [("number", number), ("secret", secret), ("reason", "噪音又出现了")])
            #expect(appealed.status == .ok)
            #expect(try await app.portal(.GET, "/portal/disclosures/\(number)").status == .notFound)
            #expect(!(try await app.portal(.GET, "/portal/disclosures")).body.string.contains(number))
            #expect(try await app.open311(.GET, "/open311/v2/requests/\(number).json").status == .notFound)

            // A phone order whose citizen asked for secrecy is never published.
            let secretOrder = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody(secret: true)).json.string("id")!
            r = try await app.call(.GET, "/work-orders/\(secretOrder)/publication", as: "reviewer", world: w)
            #expect((r.json["refusal"] as? [String: Any])?["code"] as? String == "secret_order")
        }
    }
}
