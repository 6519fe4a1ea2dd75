import Foundation

extension UUID {
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// The same text as `uuidString` (upper case, 8-4-4-4-12), written without the C library:
    /// on Linux Foundation formats it with `uuid_unparse`'s sprintf and parses it with sscanf,
    /// and both showed in the profiles of the seed and of the worker's sweep, which handle
    /// hundreds of thousands of ids (timer keys name one each).
    public var text: String {
        String(unsafeUninitializedCapacity: 36) { out in
            writeText(into: UnsafeMutableRawBufferPointer(out))
            return 36
        }
    }

    /// The same 36 bytes written into `out` (at least 36 bytes long): the seed's COPY text
    /// writes ids straight into its buffer instead of making a `String` for each.
    public func writeText(into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= 36)
        withUnsafeBytes(of: uuid) { raw in
            var o = 0
            for (i, b) in raw.enumerated() {
                if i == 4 || i == 6 || i == 8 || i == 10 {
                    out[o] = 0x2D
                    o += 1
                }
                out[o] = Self.hexDigits[Int(b >> 4)]
                out[o + 1] = Self.hexDigits[Int(b & 0x0F)]
                o += 2
            }
        }
    }

    /// Parses the 8-4-4-4-12 form in either case, as `UUID(uuidString:)` does; nil otherwise.
    public init?(text: String) {
        var text = text
        guard let parsed = text.withUTF8({ Self.parse($0) }) else { return nil }
        self = parsed
    }

    private static func parse(_ utf8: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard utf8.count == 36 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 16)
        var n = 0
        var high: UInt8? = nil
        var position = 0
        for c in utf8 {
            defer { position += 1 }
            if position == 8 || position == 13 || position == 18 || position == 23 {
                guard c == 0x2D else { return nil }
                continue
            }
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c - 0x30
            case 0x41...0x46: v = c - 0x41 + 10
            case 0x61...0x66: v = c - 0x61 + 10
            default: return nil
            }
            if let h = high {
                guard n < 16 else { return nil }
                bytes[n] = h << 4 | v
                n += 1
                high = nil
            } else {
                high = v
            }
        }
        guard position == 36, n == 16 else { return nil }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
