import HotlineApp

// Thin on purpose: everything lives in HotlineApp so tests can build the same app. The
// executor is installed here, on the main thread, before the first await.
let nioExecutor = Entrypoint.installNIOExecutorIfServing()
try await Entrypoint.main(nioExecutor: nioExecutor)
