import HotlineApp

// Thin on purpose: everything lives in HotlineApp so tests can build the same app.
try await Entrypoint.main()
