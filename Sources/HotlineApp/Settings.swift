import Foundation
import HotlineCore

/// Typed configuration, read once at boot from the environment; every bad key is named.
public struct Settings: Sendable {
    public enum DatabaseChoice: Sendable, Equatable {
        case sqliteFile(String)
        case sqliteMemory
        case postgres(String)

        public var isSQLite: Bool { if case .postgres = self { false } else { true } }
    }

    public var database: DatabaseChoice
    /// Where attachments are stored (R-WO-8).
    public var attachmentsDirectory: String
    public var officeHours: OfficeHours
    /// Bcrypt cost; tests lower it to keep the suite fast.
    public var passwordCost: Int
    public var tokenLifetimeHours: Int
    /// Run the background worker inside this process (`hotline serve`; off in tests, which
    /// drive rounds themselves with a pinned clock, and in one-off commands).
    public var worker: Bool
    /// Seconds between the worker's rounds.
    public var workerInterval: Double
    /// Seconds a worker's claim holds: how long a crashed worker's rows wait for another.
    public var workerLease: Double
    /// Where SMS go: an HTTP gateway's webhook, signed with the secret; unset, to the log.
    public var smsWebhookURL: String?
    public var smsWebhookSecret: String?
    /// The CTI's webhook signs its call events with this secret; unset, call events are refused.
    public var ctiWebhookSecret: String?
    /// How long one response of a console's live call channel lasts before the browser
    /// reconnects: the bound on how long a stopping server waits for those responses.
    public var callStreamSeconds: Double
    /// The public side's allowances (R-CIT, abuse rules).
    public var publicLimits: PublicLimits
    /// How long this process uses a session it looked up before asking the database again
    /// (`SessionCache`): the most another instance's logout or account change takes to reach
    /// it. 0: every request looks its session up.
    public var sessionCacheSeconds: Double

    /// How much one client may ask of the public portal and the Open311 API.
    public struct PublicLimits: Sendable {
        /// Requests submitted per client address per hour (portal and Open311 together).
        public var submissionsPerHour: Int
        /// Requests submitted per citizen phone number per day.
        public var submissionsPerPhonePerDay: Int
        /// Lookups (tracking, Open311 reads) per client address per hour.
        public var lookupsPerHour: Int
        /// Requests one Open311 API key may post per hour: a 311 app posts for many
        /// citizens from one address, so it is counted by its key, not its address.
        public var open311SubmissionsPerHour: Int
        /// Addresses of reverse proxies in front of the server: for a request from one of
        /// them, the client is the last address in `X-Forwarded-For` that is not a proxy.
        public var trustedProxies: [String]

        public init(submissionsPerHour: Int = 20, submissionsPerPhonePerDay: Int = 10, lookupsPerHour: Int = 300, open311SubmissionsPerHour: Int = 600, trustedProxies: [String] = []) {
            self.submissionsPerHour = submissionsPerHour
            self.submissionsPerPhonePerDay = submissionsPerPhonePerDay
            self.lookupsPerHour = lookupsPerHour
            self.open311SubmissionsPerHour = open311SubmissionsPerHour
            self.trustedProxies = trustedProxies
        }
    }

    public init(
        database: DatabaseChoice, attachmentsDirectory: String, officeHours: OfficeHours = .standard, passwordCost: Int = 10, tokenLifetimeHours: Int = 12,
        worker: Bool = false, workerInterval: Double = 5, workerLease: Double = 60, smsWebhookURL: String? = nil, smsWebhookSecret: String? = nil,
        ctiWebhookSecret: String? = nil, callStreamSeconds: Double = 15, publicLimits: PublicLimits = PublicLimits(), sessionCacheSeconds: Double = 10
    ) {
        self.database = database
        self.attachmentsDirectory = attachmentsDirectory
        self.officeHours = officeHours
        self.passwordCost = passwordCost
        self.tokenLifetimeHours = tokenLifetimeHours
        self.worker = worker
        self.workerInterval = workerInterval
        self.workerLease = workerLease
        self.smsWebhookURL = smsWebhookURL
        self.smsWebhookSecret = smsWebhookSecret
        self.ctiWebhookSecret = ctiWebhookSecret
        self.callStreamSeconds = callStreamSeconds
        self.publicLimits = publicLimits
        self.sessionCacheSeconds = sessionCacheSeconds
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var problems: [String]
        public var description: String { "bad configuration:\n  " + problems.joined(separator: "\n  ") }
    }

    /// Whether `serve` runs Swift's async code on NIO's event loops (`HOTLINE_NIO_EXECUTOR`,
    /// on unless `off`; any other value is refused by `fromEnvironment`).
    public static func useNIOExecutor(_ env: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        ["", "on"].contains(env["HOTLINE_NIO_EXECUTOR"] ?? "")
    }

    /// `DATABASE_URL`: `postgres://…` selects PostgreSQL; `sqlite:///abs/path.sqlite` or a
    /// plain path a SQLite file; `sqlite::memory:` an in-memory database; unset,
    /// `data/hotline.sqlite` under the working directory.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment, workingDirectory: String) throws -> Settings {
        var problems: [String] = []
        let database: DatabaseChoice
        switch env["DATABASE_URL"] {
        case nil, "":
            database = .sqliteFile(workingDirectory + "/data/hotline.sqlite")
        case let url? where url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"):
            database = .postgres(url)
        case "sqlite::memory:":
            database = .sqliteMemory
        case let url? where url.hasPrefix("sqlite://"):
            let path = String(url.dropFirst("sqlite://".count))
            if path.hasPrefix("/") { database = .sqliteFile(path) } else {
                problems.append("DATABASE_URL: sqlite URLs need an absolute path, as in sqlite:///abs/path.sqlite")
                database = .sqliteMemory
            }
        case let other?:
            problems.append("DATABASE_URL: '\(other)' is neither postgres://… nor sqlite:///…")
            database = .sqliteMemory
        }
        var officeHours = OfficeHours.standard
        if let text = env["HOTLINE_OFFICE_HOURS"], !text.isEmpty {
            if let o = OfficeHours(parsing: text) { officeHours = o } else {
                problems.append("HOTLINE_OFFICE_HOURS: '\(text)' is not like 09:00-12:00,13:30-17:30")
            }
        }
        var cost = 10
        if let text = env["HOTLINE_PASSWORD_COST"], !text.isEmpty {
            if let n = Int(text), (4...31).contains(n) { cost = n } else { problems.append("HOTLINE_PASSWORD_COST: must be 4…31") }
        }
        var lifetime = 12
        if let text = env["HOTLINE_TOKEN_HOURS"], !text.isEmpty {
            if let n = Int(text), (1...720).contains(n) { lifetime = n } else { problems.append("HOTLINE_TOKEN_HOURS: must be 1…720") }
        }
        let attachments = env["HOTLINE_ATTACHMENTS_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? workingDirectory + "/data/attachments"
        var worker = true
        switch env["HOTLINE_WORKER"] ?? "" {
        case "", "on": worker = true
        case "off": worker = false
        case let other: problems.append("HOTLINE_WORKER: '\(other)' is neither on nor off")
        }
        // Read by `Entrypoint` before the application exists (`useNIOExecutor`); checked here.
        if !["", "on", "off"].contains(env["HOTLINE_NIO_EXECUTOR"] ?? "") {
            problems.append("HOTLINE_NIO_EXECUTOR: '\(env["HOTLINE_NIO_EXECUTOR"]!)' is neither on nor off")
        }
        var interval = 5.0
        if let text = env["HOTLINE_WORKER_INTERVAL"], !text.isEmpty {
            if let n = Double(text), (0.05...3600).contains(n) { interval = n } else { problems.append("HOTLINE_WORKER_INTERVAL: seconds, 0.05…3600") }
        }
        var lease = 60.0
        if let text = env["HOTLINE_WORKER_LEASE"], !text.isEmpty {
            if let n = Double(text), (1...3600).contains(n) { lease = n } else { problems.append("HOTLINE_WORKER_LEASE: seconds, 1…3600") }
        }
        let webhook = env["HOTLINE_SMS_WEBHOOK_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = env["HOTLINE_SMS_WEBHOOK_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        if let webhook {
            if !(webhook.hasPrefix("http://") || webhook.hasPrefix("https://")) { problems.append("HOTLINE_SMS_WEBHOOK_URL: must be an http:// or https:// URL") }
            if (secret ?? "").count < 16 { problems.append("HOTLINE_SMS_WEBHOOK_SECRET: at least 16 characters, to sign the webhook's requests") }
        }
        let cti = env["HOTLINE_CTI_WEBHOOK_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        if let cti, cti.count < 16 { problems.append("HOTLINE_CTI_WEBHOOK_SECRET: at least 16 characters, to check the CTI's signatures") }
        var limits = PublicLimits()
        for (name, path) in [("HOTLINE_SUBMISSIONS_PER_HOUR", \PublicLimits.submissionsPerHour), ("HOTLINE_SUBMISSIONS_PER_PHONE_DAY", \.submissionsPerPhonePerDay), ("HOTLINE_LOOKUPS_PER_HOUR", \.lookupsPerHour), ("HOTLINE_OPEN311_SUBMISSIONS_PER_HOUR", \.open311SubmissionsPerHour)] {
            if let text = env[name], !text.isEmpty {
                if let n = Int(text), (1...1_000_000).contains(n) { limits[keyPath: path] = n } else { problems.append("\(name): a count, 1…1000000") }
            }
        }
        var sessionCache = 10.0
        if let text = env["HOTLINE_SESSION_CACHE_SECONDS"], !text.isEmpty {
            if let n = Double(text), (0...300).contains(n) { sessionCache = n } else { problems.append("HOTLINE_SESSION_CACHE_SECONDS: seconds, 0…300") }
        }
        limits.trustedProxies = (env["HOTLINE_TRUSTED_PROXIES"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        return Settings(
            database: database, attachmentsDirectory: attachments, officeHours: officeHours, passwordCost: cost, tokenLifetimeHours: lifetime,
            worker: worker, workerInterval: interval, workerLease: lease, smsWebhookURL: webhook, smsWebhookSecret: secret,
            ctiWebhookSecret: cti, publicLimits: limits, sessionCacheSeconds: sessionCache)
    }
}
