import Fluent
import Foundation
import HotlineCore
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import HotlineApp

/// Call events (R-IN-4): the CTI's signed webhook, the agent's live channel, and the order
/// recorded during a call getting its recording — on SQLite and on PostgreSQL.
@Suite struct TelephonyAPITests {
    static func cti(_ app: Application, _ event: [String: Any], secret: String = ctiTestSecret) async throws -> TestingHTTPResponse {
        let body = try JSONSerialization.data(withJSONObject: event)
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))).map { String(format: "%02x", $0) }.joined()
        var result: TestingHTTPResponse?
        try await app.testing().test(.POST, "/api/v1/telephony/events", beforeRequest: { req in
            req.headers.contentType = .json
            req.headers.replaceOrAdd(name: "X-Hotline-Signature", value: "sha256=" + mac)
            req.body = ByteBuffer(data: body)
        }, afterResponse: { result = $0 })
        return result!
    }

    static func seat(_ app: Application, _ w: World, _ user: String, _ ext: String) async throws -> TestingHTTPResponse {
        try await app.page(.POST, "/calls/seat", as: user, world: w, form: [("extension", ext), ("next", "/intake")])
    }

    /// The `data:` lines of a server-sent-events body, decoded.
    static func events(_ body: String) -> [[String: Any]] {
        body.split(separator: "\n").filter { $0.hasPrefix("data: ") }.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.dropFirst(6).utf8)) as? [String: Any]
        }
    }

    @Test("A ringing call reaches the stream of the agent signed in at its extension, and no one else's")
    func ringingReachesTheAgent() async throws {
        try await withTestApp { app, w, setClock in
            #expect(try await Self.seat(app, w, "agent", "8001").status == .seeOther)
            // Not signed in at a seat: the stream only says when to look again.
            let idle = try await app.page(.GET, "/calls/stream", as: "dispatcher", world: w)
            #expect(idle.status == .forbidden)
            let r = try await Self.cti(app, ["callId": "c-100", "event": "ringing", "callerNumber": "13812345678", "extension": "8001"])
            #expect(r.status == .ok && r.json.string("state") == "ringing" && r.json["changed"] as? Bool == true)
            let stream = try await app.page(.GET, "/calls/stream", as: "agent", world: w)
            #expect(stream.status == .ok && stream.headers.contentType?.description.hasPrefix("text/event-stream") == true)
            let news = Self.events(stream.body.string)
            #expect(news.count == 1 && news.first?["callId"] as? String == "c-100" && news.first?["callerNumber"] as? String == "13812345678")
            // The page carries the banner and the channel for an agent at a seat.
            let page = try await app.page(.GET, "/intake?callId=c-100&phone=13812345678", as: "agent", world: w).body.string
            #expect(page.contains("data-stream=\"/calls/stream\"") && page.contains("name=\"callId\" id=\"callId\" value=\"c-100\"") && page.contains("value=\"13812345678\""))
            // Another agent moving to the seat takes the calls there; the first sees none.
            // (Made an agent through the admin API, so the running session gets the role at once.)
            let dispatcher = try #require(try await app.call(.GET, "/me", as: "dispatcher", world: w).json.string("id"))
            #expect(try await app.call(.PATCH, "/accounts/\(dispatcher)", as: "admin", world: w, json: ["roles": ["agent", "dispatcher"]]).status == .ok)
            #expect(try await Self.seat(app, w, "dispatcher", "8001").status == .seeOther)
            let moved = try await app.page(.GET, "/calls/stream", as: "agent", world: w)
            #expect(Self.events(moved.body.string).isEmpty)
            #expect(Self.events(try await app.page(.GET, "/calls/stream", as: "dispatcher", world: w).body.string).count == 1)
            // A repeated delivery changes nothing and rings nobody again.
            let again = try await Self.cti(app, ["callId": "c-100", "event": "ringing", "callerNumber": "13812345678", "extension": "8001"])
            #expect(again.status == .ok && again.json["changed"] as? Bool == false)
            // The browser's Last-Event-ID is read as a time no earlier than a minute ago: junk is
            // ignored, and an old id does not replay calls of the seat's earlier occupant.
            setClock(Date(iso: "2026-11-23T09:10:00+08:00")!)
            for id in ["nan", "1e30", "-5", "0"] {
                let replay = try await app.page(.GET, "/calls/stream", as: "dispatcher", world: w, headers: [("Last-Event-ID", id)])
                #expect(replay.status == .ok && Self.events(replay.body.string).isEmpty, "Last-Event-ID \(id)")
            }
            // A bad seat is refused by name and changes nothing.
            let bad = try await Self.seat(app, w, "dispatcher", "80 01")
            #expect(bad.status == .unprocessableEntity)
        }
    }

    @Test("A bad signature, an unknown event or bad fields are refused with the field named, and store nothing")
    func refusals() async throws {
        try await withTestApp { app, _, _ in
            let ring: [String: Any] = ["callId": "c-1", "event": "ringing", "callerNumber": "13812345678", "extension": "8001"]
            #expect(try await Self.cti(app, ring, secret: "wrong-secret-0123456789").status == .unauthorized)
            let unknown = try await Self.cti(app, ["callId": "c-1", "event": "transferred"])
            #expect(unknown.status == .unprocessableEntity && unknown.json.string("field") == "event")
            let bad = try await Self.cti(app, ["callId": "c-1", "event": "ringing", "callerNumber": "12", "extension": "8001"])
            #expect(bad.status == .unprocessableEntity && bad.json.string("field") == "callerNumber")
            let script = try await Self.cti(app, ["callId": "c-1", "event": "recording", "recordingUrl": "javascript:alert(1)", "callerNumber": "13812345678", "extension": "8001"])
            #expect(script.status == .unprocessableEntity && script.json.string("field") == "recordingUrl")
            let lost = try await Self.cti(app, ["callId": "c-2", "event": "hungUp"])
            #expect(lost.status == .notFound && lost.json.string("code") == "call_not_found")
            let count = try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM calls").first()!.decode(column: "n", as: Int.self)
            #expect(count == 0)
        }
    }

    @Test("SQLite: a recording arriving in the same group commit as the order taken during the call still reaches it")
    func recordingInTheSameGroup() async throws {
        try await withTestApp { app, w, _ in
            guard let batcher = app.hotline.writeBatcher else { return }  // PostgreSQL has no groups
            _ = try await Self.cti(app, ["callId": "c-9", "event": "answered", "callerNumber": "13900000009", "extension": "8001"])
            let orderId = try await withThrowingTaskGroup(of: String?.self) { group in
                /// Waits until `n` writes queue behind the running group (or 10 s pass: a slow
                /// machine then fails the expectations below rather than hang).
                @Sendable func untilQueued(_ n: Int) async throws {
                    for _ in 0..<2_000 where batcher.queued < n { try await Task.sleep(for: .milliseconds(5)) }
                }
                // A write holds the writer until the intake, then the recording, queue behind it.
                let holding = NIOLockedValueBox(false)
                group.addTask {
                    try await app.hotline.write(on: app.db) { _ in
                        holding.withLockedValue { $0 = true }
                        try await untilQueued(2)
                    }
                    return nil
                }
                while !holding.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
                group.addTask {
                    var body = intakeBody(phone: "13900000009")
                    body["callId"] = "c-9"
                    return try await app.call(.POST, "/work-orders", as: "agent", world: w, json: body).json.string("id")
                }
                // The webhook only once the intake waits in the queue: the two share a group, intake first.
                try await untilQueued(1)
                let before = batcher.transactions
                group.addTask {
                    let rec = try await Self.cti(app, ["callId": "c-9", "event": "recording", "recordingUrl": "https://pbx.example/rec/c-9.mp3"])
                    #expect(batcher.transactions - before == 2, "the slow write's group, then one group for both")
                    return (rec.json["workOrderIds"] as? [String])?.first.map { "rec:" + $0 }
                }
                var id: String?
                var linked: String?
                for try await x in group {
                    if let x, x.hasPrefix("rec:") { linked = String(x.dropFirst(4)) } else if let x { id = x }
                }
                #expect(linked?.lowercased() == id?.lowercased(), "the webhook found the order the intake linked to the call")
                return try #require(id)
            }
            let timeline = try await app.call(.GET, "/work-orders/\(orderId)/timeline", as: "agent", world: w).array
            #expect(timeline.contains { ($0["details"] as? [String: String])?["recordingUrl"] == "https://pbx.example/rec/c-9.mp3" }, "\(timeline)")
        }
    }

    @Test("The order recorded during a call is linked to it; the recording reaches it whether it comes before or after")
    func recordingReachesTheOrder() async throws {
        try await withTestApp { app, w, _ in
            #expect(try await Self.seat(app, w, "agent", "8001").status == .seeOther)
            _ = try await Self.cti(app, ["callId": "c-7", "event": "ringing", "callerNumber": "13812345678", "extension": "8001"])
            _ = try await Self.cti(app, ["callId": "c-7", "event": "answered"])
            // Through the console form, as the agent does during the call.
            let form: [(String, String)] = [
                ("channel", "phone"), ("requestType", "complaint"), ("categoryCode", "010101"), ("urgency", "normal"), ("title", "小区路灯不亮"),
                ("time", "昨晚"), ("address", "朝阳区建国路88号"), ("people", "来电人"), ("matter", "路灯不亮"), ("course", "多次反映"),
                ("wantedOutcome", "尽快修复"), ("citizenName", "张三"), ("citizenPhone", "13812345678"), ("wantsSecrecy", "on"), ("disposition", "dispatch"),
                ("formKey", UUID().uuidString), ("callId", "c-7"),
            ]
            let created = try await app.page(.POST, "/intake", as: "agent", world: w, form: form)
            #expect(created.status == .seeOther)
            let orderId = String(created.headers.first(name: .location)!.dropFirst("/orders/".count).prefix(36))
            let version = try await app.call(.GET, "/work-orders/\(orderId)", as: "dispatcher", world: w).json.int("version")
            _ = try await Self.cti(app, ["callId": "c-7", "event": "hungUp"])
            let rec = try await Self.cti(app, ["callId": "c-7", "event": "recording", "recordingUrl": "https://pbx.example/rec/c-7.mp3"])
            #expect(rec.status == .ok && (rec.json["workOrderIds"] as? [String])?.map { $0.lowercased() } == [orderId.lowercased()])
            // Beside the order: its version stays, so nobody working on it gets a conflict.
            #expect(try await app.call(.GET, "/work-orders/\(orderId)", as: "dispatcher", world: w).json.int("version") == version)
            let timeline = try await app.call(.GET, "/work-orders/\(orderId)/timeline", as: "dispatcher", world: w).array
            #expect(timeline.contains { $0.string("action") == "call" && ($0["details"] as? [String: String])?["callId"] == "c-7" })
            #expect(timeline.filter { $0.string("action") == "recording" }.count == 1)
            #expect(timeline.contains { ($0["details"] as? [String: String])?["recordingUrl"] == "https://pbx.example/rec/c-7.mp3" })
            // The recording sent again is not attached twice.
            _ = try await Self.cti(app, ["callId": "c-7", "event": "recording", "recordingUrl": "https://pbx.example/rec/c-7.mp3"])
            #expect(try await app.call(.GET, "/work-orders/\(orderId)/timeline", as: "dispatcher", world: w).array.filter { $0.string("action") == "recording" }.count == 1)
            let page = try await app.page(.GET, "/orders/\(orderId)", as: "dispatcher", world: w).body.string
            #expect(page.contains("href=\"https://pbx.example/rec/c-7.mp3\""))
            // The citizen asked for secrecy: the unit does not get the citizen's voice.
            let dispatched = try await app.call(.POST, "/work-orders/\(orderId)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": w.chaoyang.id!.uuidString])
            #expect(dispatched.status == .ok)
            let unitView = try await app.call(.GET, "/work-orders/\(orderId)/timeline", as: "cy-handler", world: w).array
            #expect(!unitView.contains { ($0["details"] as? [String: String])?["recordingUrl"] != nil })

            // A second call whose recording is already there when the order is recorded (API).
            _ = try await Self.cti(app, ["callId": "c-8", "event": "answered", "callerNumber": "13900000008", "extension": "8001"])
            _ = try await Self.cti(app, ["callId": "c-8", "event": "recording", "recordingUrl": "https://pbx.example/rec/c-8.mp3"])
            var body = intakeBody(phone: "13900000008")
            body["callId"] = "c-8"
            let viaAPI = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: body)
            #expect(viaAPI.status == .created)
            let second = try await app.call(.GET, "/work-orders/\(viaAPI.json.string("id")!)/timeline", as: "agent", world: w).array
            #expect(second.contains { $0.string("action") == "call" && ($0["details"] as? [String: String])?["recordingUrl"] == "https://pbx.example/rec/c-8.mp3" })
            // A call that never rang is refused by name, and no order is stored.
            body["callId"] = "c-404"
            let unknown = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: body)
            #expect(unknown.status == .unprocessableEntity && unknown.json.string("field") == "callId")
        }
    }
}
