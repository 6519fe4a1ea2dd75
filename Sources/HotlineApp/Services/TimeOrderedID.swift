import Foundation
import NIOConcurrencyHelpers

extension UUID {
    /// RFC 9562 version 7: 48 bits of Unix milliseconds, then random bits. New rows land at the
    /// right-hand end of primary-key and foreign-key B-trees instead of on a random page, which
    /// keeps inserts cheap on both databases once tables hold millions of rows.
    static func timeOrdered(_ date: Date = Date()) -> UUID {
        var g = SystemRandomNumberGenerator()
        return timeOrdered(date, using: &g)
    }

    /// The same from a caller's generator: the synthetic city makes twelve million ids, and two
    /// `getrandom` system calls for each showed in its profile.
    static func timeOrdered<G: RandomNumberGenerator>(_ date: Date, using g: inout G) -> UUID {
        let ms = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let r1 = g.next() as UInt64
        let r2 = g.next() as UInt64
        func byte(_ x: UInt64, _ shift: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: x >> shift) }
        return UUID(uuid: (
            byte(ms, 40), byte(ms, 32), byte(ms, 24), byte(ms, 16), byte(ms, 8), byte(ms, 0),
            0x70 | UInt8(r1 & 0x0F), byte(r1, 8), 0x80 | (byte(r1, 16) & 0x3F),
            byte(r2, 0), byte(r2, 8), byte(r2, 16), byte(r2, 24), byte(r2, 32), byte(r2, 40), byte(r2, 48)
        ))
    }
}

/// A SplitMix64 stream shared by all threads through one locked counter, seeded once from the
/// system: random enough for synthetic ids and samples (not for secrets), and without a system
/// call per number. (A lock, not `Synchronization.Atomic`, which needs macOS 15.)
final class SharedRandom: Sendable, RandomNumberGenerator {
    private let counter: NIOLockedValueBox<UInt64>

    init() {
        var system = SystemRandomNumberGenerator()
        counter = NIOLockedValueBox(system.next())
    }

    func next() -> UInt64 {
        var z = counter.withLockedValue { state in
            state &+= 0x9E37_79B9_7F4A_7C15
            return state
        }
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
