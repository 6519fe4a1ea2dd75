import Foundation
import Vapor

/// Serves the files under `Public` (the console's and portal's CSS and script) and passes
/// every other request straight on. Vapor's `FileMiddleware` asks the file system, on a
/// thread pool and back, whether each request's path names a file: a thread switch each way
/// for every API call, 1.5% of an intake's server CPU (session 14's profile in
/// docs/PERFORMANCE.md). The files are listed once at boot; one added later is served after
/// a restart.
struct PublicFiles: AsyncMiddleware {
    private let files: FileMiddleware
    private let paths: Set<String>

    init(publicDirectory: String) {
        files = FileMiddleware(publicDirectory: publicDirectory)
        let root = URL(fileURLWithPath: publicDirectory, isDirectory: true).standardizedFileURL
        var paths = Set<String>()
        if let walk = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in walk where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                let full = url.standardizedFileURL.path
                guard full.hasPrefix(root.path) else { continue }
                paths.insert(String(full.dropFirst(root.path.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/")))
            }
        }
        self.paths = paths
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // The path as `FileMiddleware` would read it: percent-decoded, without the leading slash.
        let path = request.url.path.removingPercentEncoding.map { String($0.drop { $0 == "/" }) }
        guard let path, paths.contains(path) else { return try await next.respond(to: request) }
        return try await files.respond(to: request, chainingTo: next)
    }
}
