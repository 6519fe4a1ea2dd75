import Fluent
import Foundation
import HotlineCore
import Testing
import Vapor
import VaporTesting

@testable import HotlineApp

@Suite("Access, scope, masking and the access log (R-ROLE-1, R-WO-6, R-NF-5)")
struct AccessTests {
    func dispatched(_ app: Application, _ w: World, secret: Bool = true) async throws -> String {
        let id = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: intakeBody(secret: secret)).json.string("id")!
        try await app.call(.POST, "/work-orders/\(id)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": w.chaoyang.id!.uuidString])
        return id
    }

    @Test("Unit B cannot read unit A's order; A's sub-unit only after sub-dispatch")
    func scope() async throws {
        try await withTestApp { app, w, _ in
            let id = try await dispatched(app, w)
            #expect(try await app.call(.GET, "/work-orders/\(id)", as: "hd-handler", world: w).status == .notFound)
            #expect(try await app.call(.GET, "/work-orders/\(id)", as: "cy-handler", world: w).status == .ok)
            #expect(try await app.call(.GET, "/work-orders/\(id)", as: "jw-handler", world: w).status == .notFound)
            let search = try await app.call(.GET, "/work-orders", as: "hd-handler", world: w)
            #expect(search.json.int("total") == 0)
            #expect(try await app.call(.GET, "/work-orders", as: "cy-handler", world: w).json.int("total") == 1)
            // Unit B cannot act on it either.
            let lead = try await app.call(.GET, "/work-orders/\(id)", as: "cy-handler", world: w).json.assignments[0].string("id")!
            #expect(try await app.call(.POST, "/assignments/\(lead)/sign", as: "hd-handler", world: w).status == .notFound)
            #expect(try await app.call(.POST, "/assignments/\(lead)/sign", as: "cy-leader", world: w).status == .forbidden)
            try await app.call(.POST, "/assignments/\(lead)/sign", as: "cy-handler", world: w)
            let r = try await app.call(.POST, "/assignments/\(lead)/sub-dispatch", as: "cy-handler", world: w, json: ["unitId": w.jianwai.id!.uuidString])
            #expect(r.status == .ok)
            #expect(try await app.call(.GET, "/work-orders/\(id)", as: "jw-handler", world: w).status == .ok)
        }
    }

    @Test("Secret citizens are masked for units; unmasked reads are logged with who and why")
    func masking() async throws {
        try await withTestApp { app, w, _ in
            let id = try await dispatched(app, w)
            let unit = try await app.call(.GET, "/work-orders/\(id)", as: "cy-handler", world: w).json
            let citizen = unit["citizen"] as! [String: Any]
            #expect(citizen.string("phone") == "138****5678" && citizen.string("name") == "张*")
            #expect(unit["citizenMasked"] as? Bool == true)
            #expect((unit["elements"] as! [String: Any]).string("matter")!.contains("138****5678"))
            let staff = try await app.call(.GET, "/work-orders/\(id)", as: "dispatcher", world: w, headers: [("X-Access-Purpose", "回拨核实")]).json
            #expect((staff["citizen"] as! [String: Any]).string("phone") == "13812345678")
            let log = try await PersonalDataAccessModel.query(on: app.db).filter(\.$workOrderId == UUID(uuidString: id)!).all()
            #expect(log.contains { $0.purpose == "回拨核实" && $0.accountName == "dispatcher" })
            #expect(!log.contains { $0.accountName == "cy-handler" })
            let audit = try await app.call(.GET, "/audit/personal-data-access?workOrderId=\(id)", as: "admin", world: w)
            #expect(audit.array.contains { $0["purpose"] as? String == "回拨核实" })
            // Lists never show unmasked data.
            let list = try await app.call(.GET, "/work-orders?phone=13812345678", as: "dispatcher", world: w).json
            #expect(((list["items"] as! [[String: Any]])[0]).string("citizenPhone") == "138****5678")
        }
    }

    @Test("No login is 401, the wrong role 403, both as problem documents")
    func authentication() async throws {
        try await withTestApp { app, w, _ in
            var r = try await app.call(.GET, "/work-orders", as: nil, world: w)
            #expect(r.status == .unauthorized && r.json.string("code") == "unauthenticated")
            r = try await app.call(.POST, "/work-orders", as: "cy-handler", world: w, json: intakeBody())
            #expect(r.status == .forbidden && r.json.string("code") == "forbidden")
        }
    }

    @Test("Login gives a bearer token and a cookie; cookie writes need the CSRF token")
    func login() async throws {
        try await withTestApp { app, w, _ in
            var r = try await app.call(.POST, "/sessions", as: nil, world: w, json: ["username": "agent", "password": "wrong-password"])
            #expect(r.status == .unauthorized)
            r = try await app.call(.POST, "/sessions", as: nil, world: w, json: ["username": "agent", "password": "password123"])
            #expect(r.status == .created)
            let token = r.json.string("token")!
            let csrf = r.json.string("csrfToken")!
            #expect(r.headers.setCookie?[TokenAuthenticator.cookieName]?.string == token)
            var me: TestingHTTPResponse?
            try await app.testing().test(.GET, "/api/v1/me", beforeRequest: { $0.headers.bearerAuthorization = .init(token: token) }, afterResponse: { me = $0 })
            #expect(me?.json.string("username") == "agent")
            var cookieWrite: TestingHTTPResponse?
            try await app.testing().test(.POST, "/api/v1/work-orders", beforeRequest: { req in
                req.headers.add(name: .cookie, value: "\(TokenAuthenticator.cookieName)=\(token)")
                try req.content.encode(["x": "y"])
            }, afterResponse: { cookieWrite = $0 })
            #expect(cookieWrite?.status == .forbidden && cookieWrite?.json.string("code") == "csrf_token_missing")
            try await app.testing().test(.POST, "/api/v1/work-orders", beforeRequest: { req in
                req.headers.add(name: .cookie, value: "\(TokenAuthenticator.cookieName)=\(token)")
                req.headers.add(name: "X-CSRF-Token", value: csrf)
                req.headers.contentType = .json
                req.body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: intakeBody()))
            }, afterResponse: { cookieWrite = $0 })
            #expect(cookieWrite?.status == .created)
        }
    }
}
