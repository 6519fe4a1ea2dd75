import Foundation
import Vapor

/// A GeoReport v2 response, written once and rendered as the client asked: `.xml` (which the
/// spec requires) or `.json`. Field order is kept, as the spec's examples show it.
indirect enum Open311Value: Sendable {
    case text(String?)
    case int(Int)
    case number(Double)
    case bool(Bool)
    /// A list; in XML each item is wrapped in an element of this name.
    case list(item: String, [Open311Value])
    case record([(String, Open311Value)])

    enum Format: String, Sendable {
        case json, xml
    }

    func render(_ format: Format, root: String) -> String {
        switch format {
        case .json:
            var out = ""
            json(&out)
            return out
        case .xml:
            var out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            xml(&out, name: root)
            return out
        }
    }

    func response(_ format: Format, root: String, status: HTTPResponseStatus = .ok) -> Response {
        let r = Response(status: status, body: .init(string: render(format, root: root)))
        r.headers.contentType = format == .json ? HTTPMediaType(type: "application", subType: "json", parameters: ["charset": "utf-8"]) : HTTPMediaType(type: "text", subType: "xml", parameters: ["charset": "utf-8"])
        return r
    }

    private func json(_ out: inout String) {
        switch self {
        case .text(nil): out += "null"
        case .text(let s?): Self.jsonString(s, &out)
        case .int(let n): out += String(n)
        case .number(let d): out += d.isFinite ? String(d) : "null"
        case .bool(let b): out += b ? "true" : "false"
        case .list(_, let items):
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += "," }
                v.json(&out)
            }
            out += "]"
        case .record(let fields):
            out += "{"
            for (i, (k, v)) in fields.enumerated() {
                if i > 0 { out += "," }
                Self.jsonString(k, &out)
                out += ":"
                v.json(&out)
            }
            out += "}"
        }
    }

    private func xml(_ out: inout String, name: String) {
        switch self {
        case .text(nil): out += "<\(name)/>"
        case .text(let s?): out += "<\(name)>\(Self.xmlEscaped(s))</\(name)>"
        case .int(let n): out += "<\(name)>\(n)</\(name)>"
        case .number(let d): out += d.isFinite ? "<\(name)>\(d)</\(name)>" : "<\(name)/>"
        case .bool(let b): out += "<\(name)>\(b)</\(name)>"
        case .list(let item, let items):
            out += "<\(name)>"
            for v in items { v.xml(&out, name: item) }
            out += "</\(name)>"
        case .record(let fields):
            out += "<\(name)>"
            for (k, v) in fields { v.xml(&out, name: k) }
            out += "</\(name)>"
        }
    }

    static func jsonString(_ s: String, _ out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029:
                out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }

    /// Escapes markup and drops the control characters XML 1.0 cannot carry at all.
    static func xmlEscaped(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case _ where u.value < 0x20 && u != "\n" && u != "\r" && u != "\t": continue
            case _ where u.value == 0xFFFE || u.value == 0xFFFF: continue
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}

/// A GeoReport error: the spec's shape (a list of `{code, description}`), its status codes.
struct Open311Error: Error, Sendable {
    var status: HTTPResponseStatus
    var descriptions: [String]

    init(_ status: HTTPResponseStatus, _ descriptions: [String]) {
        self.status = status
        self.descriptions = descriptions
    }

    init(_ status: HTTPResponseStatus, _ description: String) {
        self.init(status, [description])
    }

    var document: Open311Value {
        .list(item: "error", descriptions.map { .record([("code", .int(Int(status.code))), ("description", .text($0))]) })
    }
}
