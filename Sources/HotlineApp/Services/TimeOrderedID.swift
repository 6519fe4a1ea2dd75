import Foundation

extension UUID {
    /// RFC 9562 version 7: 48 bits of Unix milliseconds, then random bits. New rows land at the
    /// right-hand end of primary-key and foreign-key B-trees instead of on a random page, which
    /// keeps inserts cheap on both databases once tables hold millions of rows.
    static func timeOrdered(_ date: Date = Date()) -> UUID {
        let ms = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var g = SystemRandomNumberGenerator()
        let r1 = g.next() as UInt64
        let r2 = g.next() as UInt64
        var b = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { b[i] = UInt8((ms >> (40 - 8 * UInt64(i))) & 0xFF) }
        b[6] = 0x70 | UInt8(r1 & 0x0F)
        b[7] = UInt8((r1 >> 8) & 0xFF)
        b[8] = 0x80 | UInt8((r1 >> 16) & 0x3F)
        for i in 9..<16 { b[i] = UInt8((r2 >> (8 * UInt64(i - 9))) & 0xFF) }
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}
