import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HotlineCore
import SQLKit
import Testing
import VaporTesting
@testable import HotlineApp

/// The Open311 project's own JSON Schemas (draft 4), for the keywords they use: type,
/// required, properties, enum, anyOf, items, maxLength and `$ref` to a sibling file.
struct Open311Schemas {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Open311Schemas")

    static func load(_ name: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: folder.appendingPathComponent(name)))
    }

    static func problems(_ body: ByteBuffer, against file: String) throws -> [String] {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: body))
        return try validate(value, try load(file), at: "$")
    }

    static func validate(_ v: JSONValue, _ schema: JSONValue, at path: String) throws -> [String] {
        if let ref = schema["$ref"]?.string { return try validate(v, try load(ref), at: path) }
        var found: [String] = []
        if case .array(let options)? = schema["anyOf"] {
            if try !options.contains(where: { try validate(v, $0, at: path).isEmpty }) { found.append("\(path): matches none of anyOf") }
        }
        if let t = schema["type"]?.string {
            let ok: Bool
            switch (t, v) {
            case ("string", .string), ("boolean", .bool), ("integer", .int), ("number", .int), ("number", .double), ("null", .null), ("array", .array), ("object", .object): ok = true
            default: ok = false
            }
            if !ok { return found + ["\(path): expected \(t), got \(v)"] }
        }
        if case .array(let options)? = schema["enum"], !options.contains(v) { found.append("\(path): \(v) not in enum") }
        if case .string(let s) = v, case .int(let n)? = schema["maxLength"], s.count > n { found.append("\(path): longer than \(n)") }
        if case .array(let items) = v, let itemSchema = schema["items"] {
            for (i, item) in items.enumerated() { found += try validate(item, itemSchema, at: "\(path)[\(i)]") }
        }
        if case .object(let members) = v {
            if case .array(let required)? = schema["required"] {
                for name in required.compactMap(\.string) where members[name] == nil { found.append("\(path): missing \(name)") }
            }
            if case .object(let props)? = schema["properties"] {
                for (name, member) in members { if let p = props[name] { found += try validate(member, p, at: "\(path).\(name)") } }
            }
        }
        return found
    }
}

/// Reads an XML response into the names of its elements and the text of leaf elements, and
/// says whether it parsed at all.
struct XMLOutline {
    let elements: [String]
    let texts: [String: [String]]
    let parsed: Bool

    init(_ body: ByteBuffer) {
        let parser = XMLParser(data: Data(buffer: body))
        let outline = Outline()
        parser.delegate = outline
        parsed = parser.parse()
        elements = outline.elements
        texts = outline.texts
    }

    final class Outline: NSObject, XMLParserDelegate {
        var elements: [String] = []
        var texts: [String: [String]] = [:]
        var current = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            elements.append(name)
            current = ""
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            texts[name, default: []].append(current)
            current = ""
        }
    }
}

extension Application {
    /// A raw request to the Open311 API (outside /api/v1, so not checked against openapi.yaml).
    func open311(_ method: HTTPMethod, _ path: String, form: [(String, String)]? = nil) async throws -> TestingHTTPResponse {
        var result: TestingHTTPResponse?
        try await self.testing().test(method, path, beforeRequest: { req in
            if let form {
                var allowed = CharacterSet.alphanumerics
                allowed.insert(charactersIn: "-._~")
                req.headers.contentType = .urlEncodedForm
                req.body = ByteBuffer(string: form.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&"))
            }
        }, afterResponse: { res in result = res })
        return result!
    }

    func orderCount() async throws -> Int { try await count("SELECT COUNT(*) AS n FROM work_orders") }
}

@Suite("Open311 GeoReport v2 (R-CIT-5)", .serialized)
struct Open311Tests {
    @Test("Discovery, services and service definitions in JSON (valid against the Open311 schemas) and XML")
    func services() async throws {
        try await withTestApp { app, _, _ in
            let discovery = try await app.open311(.GET, "/open311/discovery.json")
            #expect(discovery.status == .ok && (discovery.json["endpoints"] as? [[String: Any]])?.first?["specification"] as? String == "http://wiki.open311.org/GeoReport_v2")
            #expect(XMLOutline(try await app.open311(.GET, "/open311/discovery.xml").body).elements.first == "discovery")

            let json = try await app.open311(.GET, "/open311/v2/services.json")
            #expect(json.status == .ok && json.headers.contentType?.subType == "json")
            #expect(try Open311Schemas.problems(json.body, against: "services.json") == [])
            let lights = json.array.first { $0["service_code"] as? String == "010101" }
            #expect(lights?["service_name"] as? String == "路灯" && lights?["group"] as? String == "城乡建设" && lights?["metadata"] as? Bool == true)

            let xml = try await app.open311(.GET, "/open311/v2/services.xml")
            let outline = XMLOutline(xml.body)
            #expect(xml.status == .ok && outline.parsed && outline.elements.first == "services" && outline.texts["service_code"]?.contains("010101") == true)

            let noise = try await app.open311(.GET, "/open311/v2/services/040102.json")
            #expect(try Open311Schemas.problems(noise.body, against: "service-definition.json") == [])
            let attributes = noise.json["attributes"] as? [[String: Any]] ?? []
            #expect(attributes.map { $0["code"] as? String } == ["request_type", "noise_period"])
            #expect(attributes.last?["required"] as? Bool == true && (attributes.last?["values"] as? [[String: Any]])?.count == 2)
            let noiseXML = XMLOutline(try await app.open311(.GET, "/open311/v2/services/040102.xml").body)
            #expect(noiseXML.elements.first == "service_definition" && noiseXML.texts["key"] == RequestType.allCases.map(\.rawValue) + ["day", "night"])

            for format in ["json", "xml"] {
                let missing = try await app.open311(.GET, "/open311/v2/services/999999.\(format)")
                #expect(missing.status == .notFound)
                if format == "json" {
                    #expect((missing.array.first?["code"] as? Int) == 404 && (missing.array.first?["description"] as? String)?.contains("999999") == true)
                } else {
                    let o = XMLOutline(missing.body)
                    #expect(o.elements.prefix(3) == ["errors", "error", "code"] && o.texts["code"] == ["404"])
                }
            }
        }
    }

    @Test("POST requests needs a live key; bad input is refused by field and stores nothing; a good one is an order in the agents' queue")
    func post() async throws {
        try await withTestApp { app, world, setClock in
            let (key, text) = try await Open311Keys(db: app.db).create(name: "测试客户端", by: nil, at: app.hotline.now)
            let base: [(String, String)] = [
                ("service_code", "010101"), ("lat", "39.9087"), ("long", "116.3975"), ("address_string", "朝阳区建国路88号3单元"),
                ("description", "路灯不亮已经一周，我叫王建国，电话13912345678"), ("first_name", "建国"), ("last_name", "王"), ("phone", "13912345678"),
                ("attribute[facility_id]", "LD-0231"), ("attribute[request_type]", "help"),
            ]
            let before = try await app.orderCount()
            let noKey = try await app.open311(.POST, "/open311/v2/requests.json", form: base)
            #expect(noKey.status == .forbidden && noKey.array.first?["code"] as? Int == 403)
            let wrongKey = try await app.open311(.POST, "/open311/v2/requests.xml", form: base + [("api_key", "o311_nope")])
            #expect(wrongKey.status == .forbidden && XMLOutline(wrongKey.body).texts["code"] == ["403"])

            func with(_ changes: [(String, String)]) -> [(String, String)] {
                var f = base.filter { k in !changes.contains { $0.0 == k.0 } }
                f += changes
                return f + [("api_key", text)]
            }
            let bad: [([(String, String)], String)] = [
                ([("lat", "abc")], "lat"),
                ([("lat", "95")], "lat"),
                ([("description", String(repeating: "灯", count: 4001))], "description"),
                ([("service_code", "999999")], "service_code"),
                ([("service_code", "040102")], "attribute[noise_period]"),
                ([("lat", ""), ("long", ""), ("address_string", "")], "lat"),
                ([("media_url", "javascript:alert(1)")], "media_url"),
            ]
            for (changes, field) in bad {
                let r = try await app.open311(.POST, "/open311/v2/requests.json", form: with(changes))
                #expect(r.status == .badRequest, "\(changes)")
                #expect(r.array.contains { ($0["description"] as? String)?.contains(field) == true }, "\(field): \(r.body.string)")
            }
            #expect(try await app.orderCount() == before, "nothing refused was stored")

            let ok = try await app.open311(.POST, "/open311/v2/requests.json", form: with([]))
            #expect(ok.status == .ok)
            let created = try #require(ok.array.first)
            let number = try #require(created["service_request_id"] as? String)
            let token = try #require(created["token"] as? String)
            #expect((created["service_notice"] as? String)?.contains(number) == true)
            #expect(try await app.orderCount() == before + 1)

            // The agents see it as an Open311-channel order, waiting for dispatch, with what the client sent.
            let found = try await app.call(.GET, "/work-orders?number=\(number)", as: "agent", world: world)
            let summary = try #require(found.json.items.first)
            let order = try await app.call(.GET, "/work-orders/\(summary["id"] as! String)", as: "agent", world: world)
            #expect(order.json.string("channel") == "open311" && order.json.string("status") == "pendingDispatch")
            let elements = order.json["elements"] as? [String: Any] ?? [:]
            #expect((elements["course"] as? String)?.contains("【设施编号（路灯杆、井盖上的编号）】LD-0231") == true)
            #expect((order.json["citizen"] as? [String: Any])?["name"] as? String == "王建国")

            // Read back by id, by token, and in the list; masked, valid against the schemas.
            let single = try await app.open311(.GET, "/open311/v2/requests/\(number).json")
            #expect(try Open311Schemas.problems(single.body, against: "requests.json") == [])
            let r = try #require(single.array.first)
            #expect(r["status"] as? String == "open" && r["service_code"] as? String == "010101" && r["service_name"] as? String == "路灯")
            #expect(r["description"] as? String == "路灯不亮已经一周，我叫王**，电话139****5678")
            #expect(r["address"] as? String == "朝阳区建国路**号*单元")
            #expect(r["lat"] as? Double == 39.909 && r["long"] as? Double == 116.398, "coordinates rounded to about 100 m")
            #expect(r["expected_datetime"] as? String != nil)
            let singleXML = XMLOutline(try await app.open311(.GET, "/open311/v2/requests/\(number).xml").body)
            #expect(singleXML.elements.prefix(3) == ["service_requests", "request", "service_request_id"] && singleXML.texts["service_request_id"] == [number])

            let byToken = try await app.open311(.GET, "/open311/v2/tokens/\(token).json")
            #expect(byToken.array.first?["service_request_id"] as? String == number)
            #expect(XMLOutline(try await app.open311(.GET, "/open311/v2/tokens/\(token).xml").body).texts["service_request_id"] == [number])
            #expect(try await app.open311(.GET, "/open311/v2/tokens/nope.json").status == .notFound)

            let list = try await app.open311(.GET, "/open311/v2/requests.json")
            #expect(try Open311Schemas.problems(list.body, against: "requests.json") == [])
            #expect(list.array.map { $0["service_request_id"] as? String } == [number])
            #expect(try await app.open311(.GET, "/open311/v2/requests.json?status=closed").array.isEmpty)
            #expect(try await app.open311(.GET, "/open311/v2/requests.json?service_code=040102").array.isEmpty)
            #expect(try await app.open311(.GET, "/open311/v2/requests.json?service_code=010101,040102&status=open").array.count == 1)
            #expect(try await app.open311(.GET, "/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z").array.isEmpty)
            let badDate = try await app.open311(.GET, "/open311/v2/requests.xml?start_date=yesterday")
            #expect(badDate.status == .badRequest && XMLOutline(badDate.body).texts["description"]?.first?.contains("start_date") == true)
            #expect(try await app.open311(.GET, "/open311/v2/requests.json?status=pending").status == .badRequest)
            let listXML = XMLOutline(try await app.open311(.GET, "/open311/v2/requests.xml").body)
            #expect(listXML.parsed && listXML.texts["status"] == ["open"])

            // An order recorded by phone is not public: neither listed nor readable by number.
            let phoneOrder = try await app.call(.POST, "/work-orders", as: "agent", world: world, json: intakeBody(secret: false))
            let phoneNumber = try #require(phoneOrder.json.string("number"))
            #expect(try await app.open311(.GET, "/open311/v2/requests/\(phoneNumber).json").status == .notFound)

            // A place given only by the client's own address register is a place.
            let byAddressId = try await app.open311(.POST, "/open311/v2/requests.json", form: with([("lat", ""), ("long", ""), ("address_string", ""), ("address_id", "BJ-CY-000231")]))
            #expect(byAddressId.status == .ok, "\(byAddressId.body.string)")
            // A report (举报) posted through Open311 is stored for the agents but never shown.
            let report = try await app.open311(.POST, "/open311/v2/requests.json", form: with([("attribute[request_type]", "report")]))
            let reportNumber = try #require(report.array.first?["service_request_id"] as? String)
            #expect(try await app.open311(.GET, "/open311/v2/requests/\(reportNumber).json").status == .notFound)
            #expect(!(try await app.open311(.GET, "/open311/v2/requests.json")).body.string.contains(reportNumber))
            // Asked by id, a request older than the default 90 days is still found.
            setClock(app.hotline.now.addingTimeInterval(120 * 86_400))
            #expect(try await app.open311(.GET, "/open311/v2/requests.json").array.isEmpty)
            #expect(try await app.open311(.GET, "/open311/v2/requests.json?service_request_id=\(number)").array.count == 1)

            // A revoked key posts nothing more.
            #expect(try await Open311Keys(db: app.db).revoke(key.prefix, at: app.hotline.now) != nil)
            #expect(try await app.open311(.POST, "/open311/v2/requests.json", form: with([])).status == .forbidden)
        }
    }

    @Test("Every XML element the Code for America client's example responses use is where such a client looks for it")
    func xmlLikeTheExamples() async throws {
        try await withTestApp { app, _, _ in
            let (_, key) = try await Open311Keys(db: app.db).create(name: "example", by: nil, at: app.hotline.now)
            let folder = Open311Schemas.folder.appendingPathComponent("xml-examples")
            let posted = try await app.open311(.POST, "/open311/v2/requests.xml", form: [
                ("api_key", key), ("service_code", "010101"), ("lat", "39.9"), ("long", "116.4"), ("description", "路灯不亮"),
            ])
            let outline = XMLOutline(posted.body)
            let number = try #require(outline.texts["service_request_id"]?.first)
            let token = try #require(outline.texts["token"]?.first)
            let pairs: [(String, ByteBuffer)] = [
                ("services.xml", try await app.open311(.GET, "/open311/v2/services.xml").body),
                ("service_definition.xml", try await app.open311(.GET, "/open311/v2/services/010101.xml").body),
                ("post_service_request.xml", posted.body),
                ("get_service_request.xml", try await app.open311(.GET, "/open311/v2/requests/\(number).xml").body),
                ("request_id_from_token.xml", try await app.open311(.GET, "/open311/v2/tokens/\(token).xml").body),
                ("get_service_request_not_found.xml", try await app.open311(.GET, "/open311/v2/requests/1.xml").body),
            ]
            for (file, ours) in pairs {
                let example = XMLOutline(ByteBuffer(data: try Data(contentsOf: folder.appendingPathComponent(file))))
                let mine = XMLOutline(ours)
                #expect(example.parsed && mine.parsed, "\(file)")
                #expect(example.elements.first == mine.elements.first, "\(file): root \(mine.elements.first ?? "")")
                let missing = Set(example.elements).subtracting(mine.elements)
                #expect(missing.isEmpty, "\(file): our response lacks \(missing.sorted())")
            }
        }
    }

    @Test("Admins issue and revoke keys in the console; the key is shown once and works at once")
    func consoleKeys() async throws {
        try await withTestApp { app, w, _ in
            #expect(try await app.page(.GET, "/admin/open311-keys", as: "agent", world: w).status == .forbidden)
            let empty = try await app.page(.POST, "/admin/open311-keys", as: "admin", world: w, form: [("name", " ")])
            #expect(empty.status == .unprocessableEntity && empty.body.string.contains("field-error"))
            let issued = try await app.page(.POST, "/admin/open311-keys", as: "admin", world: w, form: [("name", "市民通 App")])
            #expect(issued.status == .created)
            let key = try #require(issued.element("issued-key"))
            #expect(key.hasPrefix("o311_"))
            let list = try await app.page(.GET, "/admin/open311-keys", as: "admin", world: w)
            #expect(list.body.string.contains("市民通 App") && !list.body.string.contains(key), "the key is not shown again")
            let form: [(String, String)] = [("api_key", key), ("service_code", "010101"), ("address_string", "建国路"), ("description", "路灯不亮")]
            #expect(try await app.open311(.POST, "/open311/v2/requests.json", form: form).status == .ok)
            let id = try #require(try await Open311Keys(db: app.db).list().first?.id)
            let revoked = try await app.page(.POST, "/admin/open311-keys/\(id.uuidString)/revoke", as: "admin", world: w, form: [])
            #expect(revoked.status == .seeOther)
            #expect(try await app.open311(.POST, "/open311/v2/requests.json", form: form).status == .forbidden)
        }
    }

    @Test("Submissions per key are limited; the answer is 429 in the spec's error shape; another key is not held back")
    func rateLimit() async throws {
        try await withTestApp { app, _, _ in
            let (_, text) = try await Open311Keys(db: app.db).create(name: "flood", by: nil, at: app.hotline.now)
            let (_, other) = try await Open311Keys(db: app.db).create(name: "other", by: nil, at: app.hotline.now)
            let form: [(String, String)] = [("api_key", text), ("service_code", "010101"), ("address_string", "建国路"), ("description", "路灯不亮")]
            var statuses: [UInt] = []
            for i in 0..<(app.hotline.settings.publicLimits.open311SubmissionsPerHour + 1) {
                statuses.append(try await app.open311(.POST, "/open311/v2/requests.json", form: form + [("phone", "1391234\(String(format: "%04d", i))")]).status.code)
            }
            #expect(statuses.dropLast().allSatisfy { $0 == 200 } && statuses.last == 429)
            let limited = try await app.open311(.POST, "/open311/v2/requests.xml", form: form)
            #expect(limited.status == .tooManyRequests && XMLOutline(limited.body).texts["code"] == ["429"])
            let otherForm = [("api_key", other)] + form.dropFirst() + [("phone", "13700000000")]
            #expect(try await app.open311(.POST, "/open311/v2/requests.json", form: Array(otherForm)).status == .ok)

            // One phone, however it is written, counts as one: 10 a day.
            var phoneStatuses: [UInt] = []
            for i in 0..<11 {
                let written = ["13612345678", "+86 136 1234 5678", "136-1234-5678"][i % 3]
                let r = try await app.portal(.POST, "/portal/submit", form: PortalTests.form([("phone", written), ("title", "第\(i)次")]))
                phoneStatuses.append(r.status.code)
            }
            #expect(phoneStatuses.dropLast().allSatisfy { $0 == 303 } && phoneStatuses.last == 429, "\(phoneStatuses)")
        }
    }
}
