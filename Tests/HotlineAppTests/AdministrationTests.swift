import Fluent
import Foundation
import HotlineCore
import Testing
import Vapor
import VaporTesting

@testable import HotlineApp

@Suite("Windows, parameters, calendar, attachments and the OpenAPI document")
struct AdministrationTests {
    @Test("R-UH-2: the return window is enforced through the API, with the platform's decision")
    func returnWindow() async throws {
        try await withTestApp { app, w, setClock in
            let id = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody()).json.string("id")!
            let lead = try await app.call(.POST, "/work-orders/\(id)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": w.chaoyang.id!.uuidString]).json.assignments[0].string("id")!
            setClock(Date(iso: "2026-11-25T09:00:00+08:00")!)
            let late = try await app.call(.POST, "/assignments/\(lead)/return-request", as: "cy-handler", world: w, json: ["reason": "非本单位职责", "basis": "三定方案"])
            #expect(late.status == .conflict && late.json.string("code") == "return_window_closed")
            setClock(Date(iso: "2026-11-24T10:00:00+08:00")!)
            #expect(try await app.call(.POST, "/assignments/\(lead)/return-request", as: "cy-handler", world: w, json: ["reason": "非本单位职责", "basis": "三定方案"]).status == .ok)
            #expect(try await app.call(.POST, "/assignments/\(lead)/return-approval", as: "cy-leader", world: w, json: ["approve": true]).status == .ok)
            let counts = try await app.call(.GET, "/queues/counts", as: "dispatcher", world: w).json
            #expect(counts.int("pendingReturns") == 1)
            let r = try await app.call(.POST, "/assignments/\(lead)/return-decision", as: "dispatcher", world: w, json: ["approve": true, "note": "改派"])
            #expect(r.json.string("status") == "pendingDispatch")
        }
    }

    @Test("R-UH-6: an extension through the API moves the deadline; a late one is refused")
    func extensions() async throws {
        try await withTestApp { app, w, setClock in
            let id = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody()).json.string("id")!
            let order = try await app.call(.POST, "/work-orders/\(id)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": w.chaoyang.id!.uuidString]).json
            let lead = order.assignments[0].string("id")!
            try await app.call(.POST, "/assignments/\(lead)/sign", as: "cy-handler", world: w)
            #expect(try await app.call(.POST, "/assignments/\(lead)/extensions", as: "cy-handler", world: w, json: ["amount": 20, "reason": "x"]).json.string("code") == "extension_too_long")
            var r = try await app.call(.POST, "/assignments/\(lead)/extensions", as: "cy-handler", world: w, json: ["amount": 5, "reason": "需协调多个部门"])
            let ext = (r.json["extensions"] as! [[String: Any]])[0].string("id")!
            r = try await app.call(.POST, "/extensions/\(ext)/unit-approval", as: "cy-leader", world: w, json: ["approve": true])
            r = try await app.call(.POST, "/extensions/\(ext)/decision", as: "reviewer", world: w, json: ["approve": true])
            #expect(r.status == .ok)
            let due = r.json.assignments[0].string("dueAt")!
            #expect(Date(iso: due) == Date(iso: "2026-12-21T23:59:59+08:00"))
            setClock(Date(iso: "2026-12-21T09:00:00+08:00")!)
            r = try await app.call(.POST, "/assignments/\(lead)/extensions", as: "cy-handler", world: w, json: ["amount": 1, "reason": "再延"])
            #expect(r.json.string("code") == "extension_window_closed")
        }
    }

    @Test("Parameters, limit rules and dictionaries are validated and effective on the next request")
    func parameters() async throws {
        try await withTestApp { app, w, _ in
            var r = try await app.call(.PUT, "/parameters/sign.limit", as: "admin", world: w, json: ["value": "soon"])
            #expect(r.status == .unprocessableEntity && r.json.string("field") == "value")
            #expect(try await app.call(.PUT, "/parameters/sign.limit", as: "dispatcher", world: w, json: ["value": "2 workingDays"]).status == .forbidden)
            r = try await app.call(.PUT, "/parameters/sign.limit", as: "admin", world: w, json: ["value": "2 workingDays"])
            #expect(r.status == .ok)
            let id = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody()).json.string("id")!
            r = try await app.call(.POST, "/work-orders/\(id)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": w.chaoyang.id!.uuidString])
            #expect(Date(iso: r.json.assignments[0].string("signDueAt")!) == Date(iso: "2026-11-25T23:59:59+08:00"))
            // A time-limit rule for the category wins over the type default.
            r = try await app.call(.POST, "/time-limit-rules", as: "admin", world: w, json: ["categoryPrefix": "0101", "requestType": "complaint", "limit": ["amount": 10, "unit": "workingDays"]])
            #expect(r.status == .created)
            let id2 = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody()).json.string("id")!
            r = try await app.call(.POST, "/work-orders/\(id2)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": w.chaoyang.id!.uuidString])
            #expect((r.json["timeLimit"] as! [String: Any]).int("amount") == 10)
            // Dictionary changes count on the next request too (the rules are cached: RulesCache).
            r = try await app.call(.PATCH, "/dictionaries/category/010101", as: "admin", world: w, json: ["active": false])
            #expect(r.status == .ok)
            r = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody())
            #expect(r.status == .unprocessableEntity && r.json.string("field") == "categoryCode", "a category switched off is refused at once")
            r = try await app.call(.PATCH, "/dictionaries/category/010101", as: "admin", world: w, json: ["active": true])
            let id3 = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody()).json.string("id")!
            r = try await app.call(.POST, "/work-orders/\(id3)/decline", as: "agent", world: w, json: ["reasonCode": "outOfHoursTest"])
            #expect(r.json.string("field") == "reasonCode")
            r = try await app.call(.POST, "/dictionaries/declineReason", as: "admin", world: w, json: ["code": "outOfHoursTest", "name": "测试理由", "sort": 99, "active": true])
            #expect(r.status == .created)
            r = try await app.call(.POST, "/work-orders/\(id3)/decline", as: "agent", world: w, json: ["reasonCode": "outOfHoursTest"])
            #expect(r.status == .ok, "a reason added a moment ago is accepted")
        }
    }

    @Test("The calendar API shows a year, computes deadlines and imports a new year")
    func calendar() async throws {
        try await withTestApp { app, w, _ in
            var r = try await app.call(.GET, "/calendar/years/2026", as: "agent", world: w)
            #expect(r.json.int("workingDays") == 248)
            #expect((r.json["adjustedWorkingDays"] as! [[String: Any]]).map { $0["date"] as! String }.contains("2026-02-14"))
            r = try await app.call(.GET, "/calendar/deadline?from=2025-09-30T10:00:00%2B08:00&workingDays=3", as: "agent", world: w)
            #expect(Date(iso: r.json.string("dueAt")!) == Date(iso: "2025-10-11T23:59:59+08:00"))
            r = try await app.call(.GET, "/calendar/years/2027", as: "agent", world: w)
            #expect(r.json["hasData"] as? Bool == false && r.json.string("warning") != nil)
            let notice: [String: Any] = ["year": 2027, "papers": [], "days": [["name": "元旦", "date": "2027-01-01", "isOffDay": true], ["name": "春节", "date": "2027-02-07", "isOffDay": false]]]
            #expect(try await app.call(.PUT, "/calendar/years/2027", as: "agent", world: w, json: notice).status == .forbidden)
            r = try await app.call(.PUT, "/calendar/years/2027", as: "admin", world: w, json: notice)
            #expect(r.json["hasData"] as? Bool == true)
            #expect((r.json["adjustedWorkingDays"] as! [[String: Any]]).count == 1)
            r = try await app.call(.PUT, "/calendar/years/2027", as: "admin", world: w, json: ["year": 2027, "papers": [], "days": []])
            #expect(r.status == .unprocessableEntity && r.json.string("code") == "bad_calendar_file")
        }
    }

    @Test("Attachments are stored with their checksum and type limits (R-WO-8)")
    func attachments() async throws {
        try await withTestApp { app, w, _ in
            let id = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody()).json.string("id")!
            var r: TestingHTTPResponse?
            try await app.testing().test(.POST, "/api/v1/work-orders/\(id)/attachments?fileName=photo.png", beforeRequest: { req in
                req.headers.bearerAuthorization = .init(token: w.token("agent"))
                req.headers.contentType = .png
                req.body = ByteBuffer(string: "not really a png but bytes")
            }, afterResponse: { r = $0 })
            #expect(r?.status == .created)
            #expect(r?.json.string("sha256") == "2a4c4fd0d54e41f4f4b02d7a2cd6f8d5b0a6fcf1fd78c5cfc6b0f8e3f6d3d32b" || r?.json.string("sha256")?.count == 64)
            let attachmentId = r!.json.string("id")!
            try await app.testing().test(.GET, "/api/v1/attachments/\(attachmentId)", beforeRequest: { $0.headers.bearerAuthorization = .init(token: w.token("dispatcher")) }, afterResponse: { r = $0 })
            #expect(r?.body.string == "not really a png but bytes")
            try await app.testing().test(.POST, "/api/v1/work-orders/\(id)/attachments?fileName=x.exe", beforeRequest: { req in
                req.headers.bearerAuthorization = .init(token: w.token("agent"))
                req.headers.contentType = HTTPMediaType(type: "application", subType: "x-msdownload")
                req.body = ByteBuffer(string: "MZ")
            }, afterResponse: { r = $0 })
            #expect(r?.status == .unsupportedMediaType)
        }
    }

    @Test("The OpenAPI document describes every route the server has, and no other")
    func openAPIMatchesRoutes() async throws {
        try await withTestApp { app, w, _ in
            let served = try await app.call(.GET, "/openapi.yaml", as: nil, world: w)
            #expect(served.status == .ok)
            let text = served.body.string
            #expect(text.hasPrefix("openapi: 3.1.0"))
            // The served document is the one the contract check reads.
            let contract = try OpenAPIContract(yaml: text)
            guard case .object(let paths)? = contract.document["paths"] else { Issue.record("no paths"); return }
            let methods: Set<String> = ["get", "put", "post", "patch", "delete"]
            let documented = Set(paths.flatMap { path, item -> [String] in
                guard case .object(let ops) = item else { return [] }
                return ops.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" }
            })
            let routes = Set(app.routes.all.compactMap { route -> String? in
                let parts = route.path.map { c -> String in
                    switch c {
                    case .parameter(let name): "{\(name)}"
                    default: c.description
                    }
                }
                guard parts.count > 2, parts[0] == "api", parts[1] == "v1" else { return nil }
                return "\(route.method.rawValue) /" + parts.dropFirst(2).joined(separator: "/")
            })
            #expect(routes.subtracting(documented).isEmpty, "undocumented: \(routes.subtracting(documented).sorted())")
            #expect(documented.subtracting(routes).isEmpty, "documented but not served: \(documented.subtracting(routes).sorted())")
        }
    }

    @Test("The contract check catches a renamed field, a wrong type, an undocumented status or path")
    func contractCheckBites() async throws {
        try await withTestApp { app, w, _ in
            let created = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody())
            let contract = OpenAPIContract.shared
            let body = Data(buffer: created.body)
            func check(_ data: Data, status: Int = 201, path: String = "/work-orders") -> [String] {
                contract.problems(method: "POST", path: path, status: status, contentType: "application/json; charset=utf-8", body: data, request: nil)
            }
            #expect(check(body).isEmpty)
            // A DTO field renamed: the old name is missing and the new one undocumented.
            let renamed = Data(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "\"status\"", with: "\"state\"").utf8)
            let problems = check(renamed)
            #expect(problems.contains { $0.contains("required property `status` is missing") })
            #expect(problems.contains { $0.contains("property `state` is not documented") })
            // A number sent as a string.
            var object = try JSONSerialization.jsonObject(with: body) as! [String: Any]
            object["version"] = "1"
            #expect(check(try JSONSerialization.data(withJSONObject: object)).contains { $0.contains("response.version: expected integer") })
            // A nested enum value the document does not list.
            object = try JSONSerialization.jsonObject(with: body) as! [String: Any]
            object["urgency"] = "whenever"
            #expect(check(try JSONSerialization.data(withJSONObject: object)).contains { $0.contains("response.urgency") })
            #expect(check(body, status: 202).contains { $0.contains("status 202 not documented") })
            #expect(check(body, path: "/work-order").contains { $0.contains("path not in openapi.yaml") })
            // Problem documents must carry the documented members too.
            let bare = contract.problems(method: "POST", path: "/work-orders", status: 422, contentType: "application/problem+json", body: Data(#"{"title":"x"}"#.utf8), request: nil)
            #expect(bare.contains { $0.contains("required property `code` is missing") })
        }
    }
}
