import Fluent
import HotlineCore
import NIOConcurrencyHelpers
import Vapor

/// The clock, behind a value so tests pin time (isowords, Vernissage).
public struct AppClock: Sendable {
    public var now: @Sendable () -> Date
    public init(now: @escaping @Sendable () -> Date) { self.now = now }
    public static let system = AppClock { Date() }

    /// A clock tests move by hand.
    public static func manual(_ start: Date) -> (AppClock, @Sendable (Date) -> Void) {
        let box = NIOLockedValueBox(start)
        return (AppClock { box.withLockedValue { $0 } }, { d in box.withLockedValue { $0 = d } })
    }
}

/// Side effects and shared state of the shell, stored on the Application.
public final class HotlineServices: Sendable {
    public let settings: Settings
    let clockBox: NIOLockedValueBox<AppClock>
    let calendars: CalendarStore
    /// Parameters, limit rules and dictionary codes (`RulesCache`).
    let rules = RulesCache()
    /// SQLite allows one writer; our own connections queue here instead of failing with
    /// SQLITE_BUSY. PostgreSQL needs no gate: row versions and locks do the work.
    let writeGate: AsyncGate?
    /// A SQLite file's background checkpoints (started when the app boots).
    let checkpointer: SQLiteCheckpointer?
    /// Counts running handlers; shutdown waits for them (`RequestDrain`).
    let requestDrain = RequestDrain()

    init(settings: Settings) {
        self.settings = settings
        self.clockBox = NIOLockedValueBox(.system)
        self.calendars = CalendarStore(officeHours: settings.officeHours)
        self.writeGate = settings.database.isSQLite ? AsyncGate() : nil
        if case .sqliteFile(let path) = settings.database { checkpointer = SQLiteCheckpointer(path: path) } else { checkpointer = nil }
    }

    public var clock: AppClock {
        get { clockBox.withLockedValue { $0 } }
        set { clockBox.withLockedValue { $0 = newValue } }
    }

    public var now: Date { clock.now() }
}

extension Application {
    private struct HotlineKey: StorageKey { typealias Value = HotlineServices }

    public var hotline: HotlineServices {
        get {
            guard let s = storage[HotlineKey.self] else { fatalError("configure(_:settings:) was not called") }
            return s
        }
        set { storage[HotlineKey.self] = newValue }
    }
}

extension Request {
    var hotline: HotlineServices { application.hotline }
    var now: Date { application.hotline.now }
}

/// A FIFO async mutex.
actor AsyncGate {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func leave() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }
}

extension HotlineServices {
    /// Runs a write transaction, one at a time on SQLite.
    func write<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let gate = writeGate else { return try await db.transaction(body) }
        await gate.enter()
        do {
            let result = try await db.transaction(body)
            await gate.leave()
            return result
        } catch {
            await gate.leave()
            throw error
        }
    }
}
