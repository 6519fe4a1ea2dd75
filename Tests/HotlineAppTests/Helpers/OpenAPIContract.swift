import Foundation
import Testing
import Yams

/// A JSON or YAML value, decoded strictly: `true` is never a number and `1` never a boolean,
/// so the contract check can tell `integer`, `number` and `boolean` apart.
indirect enum JSONValue: Decodable, Equatable, Sendable {
    case null, bool(Bool), int(Int), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] } else { return nil }
    }

    var string: String? { if case .string(let s) = self { return s } else { return nil } }
}

/// Checks real requests and responses against `Resources/openapi.yaml`, so the document cannot
/// drift from what the server does. Objects are *closed*: a property the schema does not name
/// is an error (unless the schema gives `additionalProperties`), so a renamed or added DTO field
/// fails as surely as a missing required one. An unknown schema keyword is also an error, so
/// the document cannot grow a construct this checker silently ignores.
struct OpenAPIContract: Sendable {
    static let shared: OpenAPIContract = {
        // The source file itself: the document under test is the one in the repository.
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../Sources/HotlineApp/Resources/openapi.yaml").standardized
        let text = try! String(contentsOf: url, encoding: .utf8)
        return try! OpenAPIContract(yaml: text)
    }()

    let document: JSONValue
    /// Path templates split into segments; `{x}` segments match anything.
    private let templates: [(template: String, segments: [String])]

    init(yaml: String) throws {
        document = try YAMLDecoder().decode(JSONValue.self, from: yaml)
        guard case .object(let paths)? = document["paths"] else { throw ContractError("document has no paths") }
        templates = paths.keys.sorted().map { ($0, $0.split(separator: "/").map(String.init)) }
    }

    struct ContractError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// The path template a concrete path (without `/api/v1` and query) belongs to; literal
    /// segments beat parameters, as in the router.
    func template(for path: String) -> String? {
        let segs = path.split(separator: "/").map(String.init)
        let candidates = templates.filter { t in
            t.segments.count == segs.count && zip(t.segments, segs).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        return candidates.max { a, b in
            a.segments.filter { !$0.hasPrefix("{") }.count < b.segments.filter { !$0.hasPrefix("{") }.count
        }?.template
    }

    /// Every way this exchange departs from the document; empty when it conforms.
    func problems(method: String, path fullPath: String, status: Int, contentType: String?, body: Data, request: Data?) -> [String] {
        let parts = fullPath.split(separator: "?", maxSplits: 1).map(String.init)
        let path = parts[0]
        let here = "\(method) \(fullPath) → \(status)"
        guard let template = template(for: path) else { return ["\(here): path not in openapi.yaml"] }
        guard let operation = document["paths"]?[template]?[method.lowercased()] else {
            return ["\(here): \(method) not documented for \(template)"]
        }
        var found: [String] = []
        let success = (200..<300).contains(status)

        if success, parts.count > 1 {
            let declared = Set(parameters(of: operation, in: "query"))
            for pair in parts[1].split(separator: "&") {
                let name = String(pair.split(separator: "=", maxSplits: 1)[0])
                if !declared.contains(name) { found.append("\(here): query parameter `\(name)` not documented") }
            }
        }
        if success, let request, !request.isEmpty,
           let schema = operation["requestBody"].map(resolve)?["content"]?["application/json"]?["schema"] {
            do {
                let value = try JSONDecoder().decode(JSONValue.self, from: request)
                found += validate(value, against: schema, at: "request").map { "\(here): \($0)" }
            } catch { found.append("\(here): request is not JSON") }
        }

        guard case .object(let responses)? = operation["responses"] else { return found + ["\(here): no responses"] }
        let declared = responses["\(status)"]
        if success && declared == nil {
            return found + ["\(here): status \(status) not documented (documented: \(responses.keys.sorted().joined(separator: ", ")))"]
        }
        guard let response = (declared ?? responses["default"]).map(resolve) else {
            return found + ["\(here): no response documented for \(status)"]
        }
        guard case .object(let content)? = response["content"] else {
            if !body.isEmpty { found.append("\(here): documented without content, but the body has \(body.count) bytes") }
            return found
        }
        let mediaType = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard let media = content[mediaType] else {
            return found + ["\(here): content type `\(mediaType)` not documented (documented: \(content.keys.sorted().joined(separator: ", ")))"]
        }
        guard mediaType.hasSuffix("json"), let schema = media["schema"] else { return found }
        do {
            let value = try JSONDecoder().decode(JSONValue.self, from: body)
            found += validate(value, against: schema, at: "response").map { "\(here): \($0)" }
        } catch { found.append("\(here): body is not JSON") }
        return found
    }

    private func parameters(of operation: JSONValue, in location: String) -> [String] {
        guard case .array(let list)? = operation["parameters"] else { return [] }
        return list.map(resolve).compactMap { p in p["in"]?.string == location ? p["name"]?.string : nil }
    }

    func resolve(_ v: JSONValue) -> JSONValue {
        guard let ref = v["$ref"]?.string else { return v }
        precondition(ref.hasPrefix("#/"), "only local $ref is supported: \(ref)")
        var node = document
        for key in ref.dropFirst(2).split(separator: "/") { node = node[String(key)] ?? .null }
        precondition(node != .null, "dangling $ref \(ref)")
        return resolve(node)
    }

    private static let annotations: Set<String> = ["description", "title", "example", "examples", "deprecated"]
    private static let keywords: Set<String> = [
        "$ref", "type", "properties", "required", "items", "enum", "format", "additionalProperties",
        "minimum", "maximum", "minLength", "maxLength",
    ]

    /// JSON Schema 2020-12, the subset this document uses; see the type comment for what is stricter.
    func validate(_ value: JSONValue, against rawSchema: JSONValue, at where_: String) -> [String] {
        let schema = resolve(rawSchema)
        guard case .object(let keys) = schema else { return ["\(where_): schema is not an object"] }
        var found: [String] = []
        for key in keys.keys where !Self.keywords.contains(key) && !Self.annotations.contains(key) {
            found.append("\(where_): schema keyword `\(key)` is not checked by the contract test")
        }
        if let type = schema["type"] {
            let allowed: [String]
            switch type {
            case .string(let t): allowed = [t]
            case .array(let ts): allowed = ts.compactMap(\.string)
            default: allowed = []
            }
            if !allowed.contains(where: { Self.matches(value, type: $0) }) {
                return found + ["\(where_): expected \(allowed.joined(separator: "|")), got \(Self.describe(value))"]
            }
        }
        if case .array(let options)? = schema["enum"], !options.contains(value) {
            found.append("\(where_): \(Self.describe(value)) is not one of \(options.compactMap(\.string).joined(separator: ", "))")
        }
        switch value {
        case .string(let s):
            if let f = schema["format"]?.string, !Self.conforms(s, format: f) { found.append("\(where_): \"\(s)\" is not a \(f)") }
            if case .int(let n)? = schema["maxLength"], s.count > n { found.append("\(where_): longer than \(n)") }
            if case .int(let n)? = schema["minLength"], s.count < n { found.append("\(where_): shorter than \(n)") }
        case .int(let i):
            if case .int(let n)? = schema["minimum"], i < n { found.append("\(where_): \(i) below minimum \(n)") }
            if case .int(let n)? = schema["maximum"], i > n { found.append("\(where_): \(i) above maximum \(n)") }
        case .array(let items):
            if let itemSchema = schema["items"] {
                for (i, item) in items.enumerated() { found += validate(item, against: itemSchema, at: "\(where_)[\(i)]") }
            }
        case .object(let members):
            if case .array(let required)? = schema["required"] {
                for name in required.compactMap(\.string) where members[name] == nil {
                    found.append("\(where_): required property `\(name)` is missing")
                }
            }
            let properties: [String: JSONValue]
            if case .object(let p)? = schema["properties"] { properties = p } else { properties = [:] }
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                if let p = properties[name] {
                    found += validate(member, against: p, at: "\(where_).\(name)")
                } else if let extra = schema["additionalProperties"], extra != .bool(false) {
                    if extra != .bool(true) { found += validate(member, against: extra, at: "\(where_).\(name)") }
                } else {
                    found.append("\(where_): property `\(name)` is not documented")
                }
            }
        default: break
        }
        return found
    }

    private static func matches(_ v: JSONValue, type: String) -> Bool {
        switch (type, v) {
        case ("null", .null), ("boolean", .bool), ("integer", .int), ("number", .int), ("number", .double),
             ("string", .string), ("array", .array), ("object", .object): true
        default: false
        }
    }

    private static func describe(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool(let b): "boolean \(b)"
        case .int(let i): "integer \(i)"
        case .double(let d): "number \(d)"
        case .string(let s): "string \"\(s.prefix(40))\""
        case .array: "array"
        case .object: "object"
        }
    }

    private static func conforms(_ s: String, format: String) -> Bool {
        switch format {
        case "uuid": return UUID(uuidString: s) != nil
        case "date-time":
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime]
            if f.date(from: s) != nil { return true }
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return f.date(from: s) != nil
        case "date":
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.dateFormat = "yyyy-MM-dd"
            return s.count == 10 && f.date(from: s) != nil
        default: return true
        }
    }
}
