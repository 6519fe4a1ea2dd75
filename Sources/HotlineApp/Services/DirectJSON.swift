import Foundation
import HotlineCore

/// A response value that writes its own JSON bytes instead of walking `encode(to:)`.
///
/// Even streamed (`StreamingJSONEncoder`), each field through `Codable` costs an existential
/// container box, a coding path and the check that its container is still open: the response
/// JSON was 29% of an inbox page's server CPU in session 14's profile (docs/PERFORMANCE.md).
/// Only the lines that lists serve by the page write themselves: an order's summary, an
/// assignment (with its time limit), an inbox line, and a page of any of them. The bytes are
/// exactly those of their `encode(to:)`, which stays the reference: `DirectJSONTests` compares
/// the two for values with every optional set and with none, so a field added to one and not
/// the other fails there.
protocol DirectJSON: Encodable {
    func write(to json: inout JSONWriter) throws
}

/// JSON written into one byte array by field, in the order and form `StreamingJSONEncoder`
/// writes them: nil optionals left out, dates and ids as it writes them.
struct JSONWriter {
    var bytes: [UInt8] = []
    /// Whether the next key or element needs a comma before it.
    private var comma = false

    mutating func object(_ body: (inout JSONWriter) throws -> Void) rethrows {
        bytes.append(UInt8(ascii: "{"))
        comma = false
        try body(&self)
        bytes.append(UInt8(ascii: "}"))
        comma = true
    }

    /// A key; the names are Swift identifiers, which need no escaping.
    private mutating func key(_ name: StaticString) {
        if comma { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        comma = true
    }

    mutating func field(_ name: StaticString, _ value: String) {
        key(name)
        JSONOutput.write(value, to: &bytes)
    }

    mutating func field(_ name: StaticString, _ value: UUID) {
        key(name)
        JSONOutput.write(value, to: &bytes)
    }

    mutating func field(_ name: StaticString, _ value: Date) {
        key(name)
        JSONOutput.write(value, to: &bytes)
    }

    mutating func field(_ name: StaticString, _ value: Int) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    /// An enumeration, as its raw text (how `Codable` writes a `String` enumeration).
    mutating func field<R: RawRepresentable>(_ name: StaticString, _ value: R) where R.RawValue == String {
        field(name, value.rawValue)
    }

    mutating func field(_ name: StaticString, _ value: String?) { if let value { field(name, value) } }
    mutating func field(_ name: StaticString, _ value: UUID?) { if let value { field(name, value) } }
    mutating func field(_ name: StaticString, _ value: Date?) { if let value { field(name, value) } }
    mutating func field(_ name: StaticString, _ value: Bool?) { if let value { field(name, value) } }
    mutating func field<R: RawRepresentable>(_ name: StaticString, _ value: R?) where R.RawValue == String {
        if let value { field(name, value.rawValue) }
    }

    mutating func field(_ name: StaticString, _ value: some DirectJSON) throws {
        key(name)
        try value.write(to: &self)
    }

    /// A value that does not write itself, through its `encode(to:)`; left out when nil.
    mutating func field(_ name: StaticString, encoding value: (some Encodable)?) throws {
        guard let value else { return }
        key(name)
        bytes.append(contentsOf: try StreamingJSONEncoder.bytes(of: value))
    }

    mutating func field(_ name: StaticString, _ values: [some DirectJSON]) throws {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            try value.write(to: &self)
        }
        bytes.append(UInt8(ascii: "]"))
        comma = true
    }
}

extension Page: DirectJSON where T: DirectJSON {
    func write(to json: inout JSONWriter) throws {
        try json.object { j in
            try j.field("items", items)
            j.field("page", page)
            j.field("per", per)
            j.field("total", total)
            j.field("totalIsLowerBound", totalIsLowerBound)
        }
    }
}

extension QueueController.InboxItem: DirectJSON {
    func write(to json: inout JSONWriter) throws {
        try json.object { j in
            try j.field("assignment", assignment)
            try j.field("order", order)
        }
    }
}

extension TimeLimit: DirectJSON {
    func write(to json: inout JSONWriter) throws {
        json.object { j in
            j.field("amount", amount)
            j.field("unit", unit)
        }
    }
}

extension AssignmentDTO: DirectJSON {
    func write(to json: inout JSONWriter) throws {
        try json.object { j in
            j.field("id", id)
            j.field("unitId", unitId)
            j.field("unitName", unitName)
            j.field("unitLevel", unitLevel)
            j.field("role", role)
            j.field("parentId", parentId)
            j.field("status", status)
            j.field("dispatchedAt", dispatchedAt)
            j.field("signDueAt", signDueAt)
            j.field("signedAt", signedAt)
            j.field("signedLate", signedLate)
            try j.field("timeLimit", timeLimit)
            j.field("dueAt", dueAt)
            j.field("warnAt", warnAt)
            j.field("light", light)
            j.field("paused", paused)
            j.field("contactDueAt", contactDueAt)
            j.field("contactedAt", contactedAt)
            j.field("returnReason", returnReason)
            j.field("returnBasis", returnBasis)
            try j.field("feedback", encoding: feedback)
            j.field("feedbackSubmittedAt", feedbackSubmittedAt)
            j.field("opinion", opinion)
            j.field("redoCount", redoCount)
            j.field("reminderCount", reminderCount)
            j.field("completedAt", completedAt)
        }
    }
}

extension WorkOrderSummaryDTO: DirectJSON {
    func write(to json: inout JSONWriter) throws {
        json.object { j in
            j.field("id", id)
            j.field("number", number)
            j.field("version", version)
            j.field("status", status)
            j.field("disposition", disposition)
            j.field("channel", channel)
            j.field("requestType", requestType)
            j.field("categoryCode", categoryCode)
            j.field("urgency", urgency)
            j.field("title", title)
            j.field("citizenName", citizenName)
            j.field("citizenPhone", citizenPhone)
            j.field("isSensitive", isSensitive)
            j.field("createdAt", createdAt)
            j.field("dispatchDueAt", dispatchDueAt)
            j.field("dueAt", dueAt)
            j.field("light", light)
            j.field("redoCount", redoCount)
            j.field("appealPending", appealPending)
        }
    }
}
